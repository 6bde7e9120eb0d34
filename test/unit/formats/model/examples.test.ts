import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { loadAdapter } from '../../../../src/formats/adapter';
import { loadModel } from '../../../../src/formats/loadModel';
import { readTensor } from '../../../../src/formats/safetensors';
import type { TensorRef } from '../../../../src/formats/types';
import { makeExamples } from '../../../fixtures/makeExamples';
import { EXAMPLES, tempDir } from './helpers';

/** Singular values (ml-matrix as the reference) of a row-major [rows, cols] matrix. */
function singularValues(data: ArrayLike<number>, rows: number, cols: number): number[] {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, data[i * cols + j]);
  return new SingularValueDecomposition(m, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal;
}

/** Numerical rank with the float32 storage tolerance max(m, n)·2⁻²³·σ₁-scale. */
function rank(sv: readonly number[], rows: number, cols: number, scale: number): number {
  const tol = Math.max(rows, cols) * 2 ** -23 * scale;
  return sv.filter((s) => s > tol).length;
}

const read64 = async (ref: TensorRef): Promise<Float64Array> => (await readTensor(ref, { float64: true })) as Float64Array;

describe('bundled examples', () => {
  let out: string;
  let written: string[];
  before(async () => {
    out = await tempDir();
    written = await makeExamples(out);
  });
  after(() => fs.rm(out, { recursive: true, force: true }));

  it('regenerate byte for byte from the seeded script', async () => {
    assert.ok(written.length >= 14);
    for (const rel of written) {
      const fresh = await fs.readFile(path.join(out, rel));
      const committed = await fs.readFile(path.join(EXAMPLES, rel)).catch(() => undefined);
      assert.ok(committed, `examples/${rel} is missing: run makeExamples and commit`);
      assert.ok(fresh.equals(committed), `examples/${rel} differs from what makeExamples writes`);
    }
  });

  it('stay small (< 2 MB in total)', async () => {
    let total = 0;
    const walk = async (dir: string): Promise<void> => {
      for (const e of await fs.readdir(dir, { withFileTypes: true })) {
        if (e.isDirectory()) await walk(path.join(dir, e.name));
        else total += (await fs.stat(path.join(dir, e.name))).size;
      }
    };
    await walk(EXAMPLES);
    assert.ok(total < 2 * 1024 * 1024, `examples hold ${total} bytes`);
  });

  it('the fine-tuned llama differs from the base exactly by the planted ranks', async () => {
    const planted = JSON.parse(await fs.readFile(path.join(EXAMPLES, 'tiny-llama-finetuned', 'planted_ranks.json'), 'utf8')) as
      { plantedRanks: Record<string, number> };
    const base = await loadModel(path.join(EXAMPLES, 'tiny-llama-base'));
    const fine = await loadModel(path.join(EXAMPLES, 'tiny-llama-finetuned'));
    const fineByName = new Map(fine.modules.map((m) => [m.name, m]));
    let changed = 0;
    for (const m of base.modules) {
      const f = fineByName.get(m.name);
      assert.ok(m.weight && f?.weight);
      const [w, wf] = await Promise.all([read64(m.weight), read64(f.weight)]);
      const delta = wf.map((x, i) => x - w[i]);
      const expected = planted.plantedRanks[m.name] ?? 0;
      if (expected === 0) {
        assert.ok(delta.every((x) => x === 0), `${m.name} should be bit-identical`);
        continue;
      }
      changed++;
      const [rows, cols] = m.shape;
      const sv = singularValues(delta, rows, cols);
      const scale = singularValues(w, rows, cols)[0] + singularValues(wf, rows, cols)[0];
      assert.equal(rank(sv, rows, cols, scale), expected, m.name);
    }
    assert.equal(changed, Object.keys(planted.plantedRanks).length);
  });

  it('the adapter products have the recorded effective ranks', async () => {
    const recorded = JSON.parse(await fs.readFile(path.join(EXAMPLES, 'tiny-llama-adapter', 'effective_ranks.json'), 'utf8')) as
      { modules: Record<string, { configuredRank: number; effectiveRank: number }> };
    const adapter = await loadAdapter(path.join(EXAMPLES, 'tiny-llama-adapter'));
    for (const p of adapter.pairs) {
      const [a, b] = await Promise.all([read64(p.a), read64(p.b)]);
      const [out, r] = p.b.shape;
      const inp = p.a.shape[1];
      const ba = new Float64Array(out * inp);
      for (let i = 0; i < out; i++) for (let k = 0; k < r; k++) for (let j = 0; j < inp; j++) ba[i * inp + j] += b[i * r + k] * a[k * inp + j];
      const sv = singularValues(ba, out, inp);
      assert.equal(p.rank, recorded.modules[p.baseModule].configuredRank);
      assert.equal(rank(sv, out, inp, sv[0]), recorded.modules[p.baseModule].effectiveRank, p.baseModule);
    }
  });

  it('mlp-pair-close: block 1 of the best partition has a rank-3 discrepancy', async () => {
    const frozen = await loadModel(path.join(EXAMPLES, 'mlp-pair-close', 'frozen.safetensors'));
    const target = await loadModel(path.join(EXAMPLES, 'mlp-pair-close', 'target.safetensors'));
    const layer = async (spec: typeof frozen, i: number) => {
      const ref = spec.modules.find((m) => m.name === spec.sequentialLayers?.[i])?.weight;
      assert.ok(ref);
      return read64(ref);
    };
    const [w1, w2, t1] = await Promise.all([layer(frozen, 0), layer(frozen, 1), layer(target, 0)]);
    const e = new Float64Array(256);
    for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) {
      let s = 0;
      for (let k = 0; k < 16; k++) s += w2[i * 16 + k] * w1[k * 16 + j];
      e[i * 16 + j] = t1[i * 16 + j] - s;
    }
    const sv = singularValues(e, 16, 16);
    assert.equal(rank(sv, 16, 16, singularValues(t1, 16, 16)[0] + 1), 3);
  });
});
