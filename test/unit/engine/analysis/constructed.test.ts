/** Worked examples (W5, W6, W9, W10 style), head gaps and bad input, on real tensors written to temp files. */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyze, AnalysisCancelledError, AnalysisInputError } from '../../../../src/engine/analysis';
import type { Report } from '../../../../src/protocol';
import {
  addRankOne, cloneTensors, identity, identityPlusDiag, llamaTensors, SeededRandom, SMALL_LLAMA, tempDir, testBackend, writeLlama, writeMlp,
} from './helpers';

let dir: string;
before(async () => {
  dir = await tempDir('analysis');
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Frozen: `frozen` identity layers of width D; target: one layer I + diag(σ). E = diag(σ). */
async function linearPair(name: string, sigma: number[], frozen: number): Promise<Report> {
  const D = sigma.length;
  const f = path.join(dir, `${name}-frozen.safetensors`);
  const t = path.join(dir, `${name}-target.safetensors`);
  await writeMlp(f, Array.from({ length: frozen }, () => identity(D)), D);
  await writeMlp(t, [identityPlusDiag(sigma)], D);
  return analyze({ base: f, target: t }, { backend: testBackend });
}

const close = (a: number, b: number, tol = 1e-4): void => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

describe('FNN pair: worked examples through real tensors', () => {
  it('W5: D=4, W_1=W_2=I, W̄=I+diag(4,3,2,1): rank 4, threshold 2; R=1 leaves σ_3=2 and √5; R=2 exact', async () => {
    const f = (await linearPair('w5', [4, 3, 2, 1], 2)).fnn!;
    assert.deepEqual(f.uniform.partition, [[1, 2]]);
    assert.deepEqual(f.uniform.discrepancyRanks, [4]);
    assert.equal(f.uniform.requiredRank, 2);
    assert.deepEqual(f.uniform.discrepancySpectra[0], [4, 3, 2, 1]);
    close(f.uniform.blockErrors[1]!.spectral[0]!, 2, 1e-12);
    close(f.uniform.blockErrors[1]!.frobenius[0]!, Math.sqrt(5), 1e-12);
    assert.deepEqual(f.uniform.blockErrors[2], { rank: 2, spectral: [0], frobenius: [0] });
    assert.equal(f.bounds.rigorous.byRank[2]!.bound, 0);
    assert.ok(f.bounds.rigorous.byRank[1]!.bound > 0);
    assert.equal(f.nonSingularity.status, 'met');
    // R = 2 on two layers: W_2 W_1 + LR_2(E) = I + diag(4,3,0,0), σ_min = 1.
    const check = f.nonSingularity.checks.find((c) => c.label === 'W_2 W_1 + LR_2(E_1)')!;
    close(check.minSingularValue, 1, 1e-12);
  });

  it('W6: W̄ = I + diag(4,3,0,0): threshold 1, error 0 at R=1', async () => {
    const f = (await linearPair('w6', [4, 3, 0, 0], 2)).fnn!;
    assert.equal(f.uniform.requiredRank, 1);
    assert.deepEqual(f.uniform.blockErrors[1], { rank: 1, spectral: [0], frobenius: [0] });
  });

  it('W9: σ(E) all 0.5820, D=8, M=2, R=3: threshold 4, σ_7 = 0.5820, Frobenius 0.8231', async () => {
    const f = (await linearPair('w9', new Array(8).fill(0.582), 2)).fnn!;
    assert.equal(f.uniform.requiredRank, 4);
    close(f.uniform.blockErrors[3]!.spectral[0]!, 0.582);
    close(f.uniform.blockErrors[3]!.frobenius[0]!, 0.8231);
  });

  it('W10: σ(E)=[.7180 … .0088], M=2: R=2 leaves σ_5 = 0.2087 and 0.2602; error < 0.1 first at R=3', async () => {
    const f = (await linearPair('w10', [0.718, 0.6025, 0.3661, 0.3111, 0.2087, 0.1261, 0.0905, 0.0088], 2)).fnn!;
    close(f.uniform.blockErrors[2]!.spectral[0]!, 0.2087);
    close(f.uniform.blockErrors[2]!.frobenius[0]!, 0.2602);
    assert.ok(f.uniform.blockErrors[2]!.spectral[0]! >= 0.1);
    assert.ok(f.uniform.blockErrors[3]!.spectral[0]! < 0.1);
  });

  it('a singular frozen layer: hypothesis not met, named, with the caveat', async () => {
    const D = 4;
    const f = path.join(dir, 'sing-frozen.safetensors');
    const t = path.join(dir, 'sing-target.safetensors');
    const singular = identity(D);
    singular[15] = 0;
    await writeMlp(f, [singular, identity(D)], D);
    await writeMlp(t, [identityPlusDiag([1, 1, 1, 1])], D);
    const ns = (await analyze({ base: f, target: t }, { backend: testBackend })).fnn!.nonSingularity;
    assert.equal(ns.status, 'not-met');
    assert.ok(ns.singular.includes('W_1'));
    assert.ok(ns.caveats!.includes('hypothesis not met; the threshold may still hold'));
  });

  it('a target deeper than the frozen model is refused', async () => {
    const f = path.join(dir, 'shallow.safetensors');
    const t = path.join(dir, 'deep.safetensors');
    await writeMlp(f, [identity(4)], 4);
    await writeMlp(t, [identity(4), identity(4)], 4);
    await assert.rejects(analyze({ base: f, target: t }, { backend: testBackend }), (e: unknown) => e instanceof AnalysisInputError && /at least as deep/.test(e.message));
  });
});

describe('Transformer pair: head gaps on constructed deltas', () => {
  const dims = SMALL_LLAMA; // D 32, 4 query heads, 2 KV heads (GQA), d_head 8
  const base = llamaTensors(dims, 'heads-base');
  let baseDir: string;
  before(async () => {
    baseDir = path.join(dir, 'heads-base');
    await writeLlama(baseDir, dims, base);
  });

  async function pairWith(name: string, change: (t: ReturnType<typeof llamaTensors>, rng: SeededRandom) => void): Promise<Report> {
    const t = cloneTensors(base);
    change(t, new SeededRandom(name));
    const targetDir = path.join(dir, name);
    await writeLlama(targetDir, dims, t);
    return analyze({ base: baseDir, target: targetDir }, { backend: testBackend });
  }
  const gaps = (r: Report, product: 'qk' | 'ov'): number[] => r.transformer!.heads.filter((h) => h.product === product).map((h) => h.gap);

  it('W_Q of head 1 plus a rank-1 term: Q·K gap 1 for head 1 only, O·V untouched', async () => {
    const r = await pairWith('q-head1', (t, rng) => addRankOne(rng, t.get('model.layers.0.self_attn.q_proj.weight')!.data, 32, [8, 16], [0, 32]));
    assert.deepEqual(gaps(r, 'qk'), [0, 1, 0, 0]);
    assert.deepEqual(gaps(r, 'ov'), [0, 0, 0, 0]);
    assert.equal(r.transformer!.modules.find((m) => m.name.endsWith('q_proj'))!.deltaRank, 1);
    assert.deepEqual(r.transformer!.heads.filter((h) => h.product === 'qk').map((h) => h.requiredRank), [0, 1, 0, 0]);
  });

  it('GQA: W_K of KV head 1 changed → both query heads 2 and 3 see gap 1', async () => {
    const r = await pairWith('k-kv1', (t, rng) => addRankOne(rng, t.get('model.layers.0.self_attn.k_proj.weight')!.data, 32, [8, 16], [0, 32]));
    assert.deepEqual(gaps(r, 'qk'), [0, 0, 1, 1]);
    assert.deepEqual(gaps(r, 'ov'), [0, 0, 0, 0]);
  });

  it('W_V of KV head 0 and the W_O columns of head 3: O·V gaps [1, 1, 0, 1]', async () => {
    const r = await pairWith('v-o', (t, rng) => {
      addRankOne(rng, t.get('model.layers.0.self_attn.v_proj.weight')!.data, 32, [0, 8], [0, 32]);
      addRankOne(rng, t.get('model.layers.0.self_attn.o_proj.weight')!.data, 32, [0, 32], [24, 32]);
    });
    assert.deepEqual(gaps(r, 'ov'), [1, 1, 0, 1]);
    assert.deepEqual(gaps(r, 'qk'), [0, 0, 0, 0]);
    assert.deepEqual(Object.keys(r.transformer!.rankPattern).sort(), ['model.layers.0.self_attn.o_proj', 'model.layers.0.self_attn.v_proj']);
  });

  it('NaN in one module: that module invalid, the rest analysed, a note', async () => {
    const r = await pairWith('nan', (t, rng) => {
      t.get('model.layers.0.mlp.up_proj.weight')!.data[5] = Number.NaN;
      addRankOne(rng, t.get('model.layers.0.mlp.down_proj.weight')!.data, 48, [0, 32], [0, 48]);
    });
    const up = r.transformer!.modules.find((m) => m.name === 'model.layers.0.mlp.up_proj')!;
    assert.equal(up.status, 'invalid');
    assert.match(up.problem!, /NaN at row 0, column 5/);
    assert.equal(r.transformer!.modules.find((m) => m.name === 'model.layers.0.mlp.down_proj')!.deltaRank, 1);
    assert.ok(r.notes.some((n) => /NaN\/Inf/.test(n) && n.includes('up_proj')));
    assert.equal(r.transformer!.rankPattern['model.layers.0.mlp.up_proj'], undefined);
  });

  it('different shapes: one error listing the first mismatches', async () => {
    const otherDims = { ...dims, intermediate: 64 };
    const otherDir = path.join(dir, 'other-shape');
    await writeLlama(otherDir, otherDims, llamaTensors(otherDims, 'other'));
    await assert.rejects(analyze({ base: baseDir, target: otherDir }, { backend: testBackend }), (e: unknown) => {
      assert.ok(e instanceof AnalysisInputError);
      assert.match(e.message, /not the same architecture/);
      assert.match(e.message, /mlp\.gate_proj: shape \[48, 32\] vs \[64, 32\]/);
      return true;
    });
  });

  it('different architectures (Transformer vs MLP): refused with the difference', async () => {
    const mlp = path.join(dir, 'an-mlp.safetensors');
    await writeMlp(mlp, [identity(4)], 4);
    await assert.rejects(analyze({ base: baseDir, target: mlp }, { backend: testBackend }), /kind: transformer vs mlp/);
  });

  it('memory cap: refused with the estimate before any tensor is read', async () => {
    let loaded = false;
    await assert.rejects(
      analyze({ base: baseDir, target: baseDir, memoryCapBytes: 1000 }, { backend: async () => { loaded = true; return testBackend(); } }),
      (e: unknown) => e instanceof AnalysisInputError && /estimated \d+ kB of working memory, above the cap of 1 kB; refused before reading/.test(e.message),
    );
    assert.equal(loaded, false);
  });

  it('cancellation: aborting on the first progress report stops with AnalysisCancelledError', async () => {
    const ac = new AbortController();
    let reports = 0;
    await assert.rejects(
      analyze({ base: baseDir, target: baseDir }, { backend: testBackend, signal: ac.signal, onProgress: () => { reports++; ac.abort(); } }),
      AnalysisCancelledError,
    );
    assert.equal(reports, 1);
  });
});
