/** PEFT export round trip: the folder reads back with loadAdapter and reproduces the adapted weights. */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadAdapter } from '../../../../src/formats/adapter';
import { readCheckpointHeader, readTensor } from '../../../../src/formats/safetensors';
import { buildConstruction } from '../../../../src/engine/training/construction';
import { add, type Mat, matmul64 as matmul } from '../../../../src/engine/linalg';
import { exportPeftAdapter } from '../../../../src/engine/training/peftExport';
import { pair } from './helpers';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'lora-lens-export-'));
  dirs.push(d);
  return d;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('exportPeftAdapter', () => {
  // D=8, L=3, L̄=1, R=3: the construction gives ranks 3, 3, 2, so the last layer is zero-padded.
  const { frozen, target, inputs } = pair(8, 3, 1, 21);
  const c = buildConstruction(frozen, target, 3, { inputs, biases: 'tunable' });

  for (const dtype of ['F64', 'F32'] as const) {
    it(`${dtype}: lora_B·lora_A + W = adapted weight, biases full, r = lora_alpha = R`, async () => {
      const folder = await tempDir();
      await exportPeftAdapter(folder, c.adapters, { rank: 3, biases: c.adapted.layers.map((l) => l.bias), dtype });
      const adapter = await loadAdapter(folder);
      assert.equal(adapter.r, 3);
      assert.equal(adapter.loraAlpha, 3);
      assert.deepEqual(adapter.targetModules, ['layers.0', 'layers.1', 'layers.2']);
      assert.deepEqual(adapter.pairs.map((p) => p.baseModule), ['layers.0', 'layers.1', 'layers.2']);
      const tol = dtype === 'F64' ? 1e-14 : 1e-6;
      const header = await readCheckpointHeader(adapter.weightsFile as string);
      for (const [l, p] of adapter.pairs.entries()) {
        assert.equal(p.scale, 1);
        assert.deepEqual(p.a.shape, [3, 8]);
        assert.deepEqual(p.b.shape, [8, 3]);
        const loraA: Mat = { rows: 3, cols: 8, data: Float64Array.from(await readTensor(p.a, { float64: true })) };
        const loraB: Mat = { rows: 8, cols: 3, data: Float64Array.from(await readTensor(p.b, { float64: true })) };
        const rebuilt = add(frozen.layers[l].weight, matmul(loraB, loraA));
        const scale = Math.max(...c.adapted.layers[l].weight.data.map(Math.abs));
        assert.ok(maxDiff(rebuilt.data, c.adapted.layers[l].weight.data) < tol * Math.max(1, scale) * 10, `layer ${l}`);
        const biasRef = header.tensors.find((t) => t.name === `base_model.model.layers.${l}.bias`);
        assert.ok(biasRef, `bias of layer ${l} is exported`);
        const bias = await readTensor(biasRef, { float64: true });
        const biasScale = Math.max(1, ...c.adapted.layers[l].bias.map(Math.abs));
        assert.ok(maxDiff(bias, c.adapted.layers[l].bias) < tol * 10 * biasScale);
      }
      const config = JSON.parse(await fs.readFile(path.join(folder, 'adapter_config.json'), 'utf8'));
      assert.equal(config.bias, 'all');
      assert.equal(config.peft_type, 'LORA');
    });
  }

  it('without biases writes bias "none" and no bias tensors', async () => {
    const folder = await tempDir();
    const frozenBias = buildConstruction(frozen, target, 3, { inputs, biases: 'frozen' });
    await exportPeftAdapter(folder, frozenBias.adapters, { rank: 4 });
    const adapter = await loadAdapter(folder);
    assert.equal(adapter.r, 4);
    const header = await readCheckpointHeader(adapter.weightsFile as string);
    assert.equal(header.tensors.filter((t) => t.name.endsWith('.bias')).length, 0);
  });

  it('rejects a rank below an adapter\'s column count', async () => {
    const folder = await tempDir();
    await assert.rejects(exportPeftAdapter(folder, c.adapters, { rank: 2 }), /rank 2/);
  });
});
