/** The analyses on the bundled examples reproduce the facts the examples were built with. */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../../../src/engine/analysis';
import { EXAMPLES, testBackend } from './helpers';

const ex = (...p: string[]): string => path.join(EXAMPLES, ...p);
const json = (...p: string[]): any => JSON.parse(readFileSync(ex(...p), 'utf8'));

describe('analyze: bundled examples', () => {
  it('tiny-llama pair: the planted delta ranks exactly, every other module 0', async () => {
    const r = await analyze({ base: ex('tiny-llama-base'), target: ex('tiny-llama-finetuned') }, { backend: testBackend });
    assert.equal(r.kind, 'transformer');
    assert.equal(r.backend?.name, 'cpu');
    const planted = json('tiny-llama-finetuned', 'planted_ranks.json');
    const t = r.transformer!;
    assert.equal(t.modules.length, 16);
    for (const m of t.modules) {
      const expected = planted.plantedRanks[m.name] ?? 0;
      assert.equal(m.deltaRank, expected, m.name);
      assert.equal(m.status, expected > 0 ? 'changed' : 'unchanged', m.name);
      if (expected > 0) {
        const sv = planted.deltaSingularValues[m.name] as number[];
        sv.forEach((s, k) => assert.ok(Math.abs(m.singularValues[k]! - s) <= 5e-4 * s + 1e-4, `${m.name} σ_${k + 1}`));
        assert.ok(m.singularValues[expected]! < 1e-6 && m.singularValues[expected]! < m.tolerance);
        assert.equal(m.errors.spectral.length, Math.min(expected + 2, Math.min(...m.shape) + 1));
        assert.ok(m.errors.spectral[expected]! < m.tolerance);
      }
    }
    // Equal σ planted: 99 % energy needs every one of them.
    assert.deepEqual(t.rankPattern, planted.plantedRanks);
    assert.equal(t.r, 4);
    assert.deepEqual(t.fullUpdateCheaper, []);
    // Layer 1 has no attention change; layer 0's Q·K gaps equal the q_proj delta rank on each head's rows (4 ≤ 16).
    assert.equal(t.heads.length, 2 * 4 * 2);
    for (const h of t.heads.filter((x) => x.layer === 1)) assert.equal(h.gap, 0);
    for (const h of t.heads.filter((x) => x.layer === 0 && x.product === 'qk')) assert.equal(h.gap, 4);
    // O·V: W̄_O ΔV + ΔO W_V has rank ≤ 2 + 3; random factors reach it.
    for (const h of t.heads.filter((x) => x.layer === 0 && x.product === 'ov')) assert.equal(h.gap, 5);
    assert.ok(t.heads.every((h) => h.caveats.includes('ignoring RoPE')));
    assert.equal(t.headLowerBound, 3);
    assert.deepEqual(t.heads.filter((h) => h.layer === 0 && h.product === 'qk').map((h) => h.kvHead), [0, 0, 1, 1]);
  });

  it('mlp-pair-close: uniform and optimal partitions as expected.json records them', async () => {
    const expected = json('mlp-pair-close', 'expected.json');
    const r = await analyze({ base: ex('mlp-pair-close', 'frozen.safetensors'), target: ex('mlp-pair-close', 'target.safetensors') }, { backend: testBackend });
    const f = r.fnn!;
    assert.equal(r.kind, 'fnn');
    assert.equal(f.width, expected.width);
    assert.equal(f.frozenDepth, expected.frozenDepth);
    assert.equal(f.targetDepth, expected.targetDepth);
    assert.deepEqual(f.uniform.partition, expected.uniformPartition);
    assert.deepEqual(f.uniform.discrepancyRanks, expected.uniformDiscrepancyRanks);
    assert.equal(f.uniform.requiredRank, expected.uniformRequiredRank);
    assert.deepEqual(f.best.partition, expected.optimalPartition);
    assert.deepEqual(f.best.discrepancyRanks, expected.optimalDiscrepancyRanks);
    assert.equal(f.best.requiredRank, expected.optimalRequiredRank);
    (expected.blockOneDiscrepancySingularValues as number[]).forEach((s, k) =>
      assert.ok(Math.abs(f.best.discrepancySpectra[0]![k]! - s) < 1e-3, `σ_${k + 1}`));
    // Every rank 0…D, one entry per block; zero at and beyond the required rank.
    assert.equal(f.best.blockErrors.length, 17);
    assert.deepEqual(f.best.blockErrors[4], { rank: 4, spectral: [0, 0], frobenius: [0, 0] });
    assert.ok(f.uniform.blockErrors[5]!.spectral.some((e) => e > 0));
    assert.ok(f.best.oracleCalls <= f.best.candidateBlocks);
    assert.ok(f.spectraComputed >= 2 && f.spectraComputed <= f.best.candidateBlocks + 2);
    assert.equal(f.bounds.rigorous.byRank[4]!.best, 0);
    assert.ok(f.bounds.rigorous.byRank[4]!.bound > 0);
    assert.equal(f.bounds.paper.reconstructed, true);
    assert.match(f.bounds.input, /N\(0, I_16\)/);
    assert.equal(f.nonSingularity.status, 'met');
    assert.ok(f.nonSingularity.checks.some((c) => c.label === 'W_2 W_1 + LR_4(E_1)'));
    assert.ok(f.nonSingularity.checks.some((c) => c.label === 'W_6 W_5 W_4 W_3 + LR_12(E_2)'));
  });

  it('mlp-pair: random weights give full-rank discrepancies and the worst case 8', async () => {
    const r = await analyze({ base: ex('mlp-pair', 'frozen.safetensors'), target: ex('mlp-pair', 'target.safetensors') }, { backend: testBackend });
    assert.deepEqual(r.fnn!.uniform.discrepancyRanks, [16, 16]);
    assert.equal(r.fnn!.uniform.requiredRank, 8);
    assert.equal(r.fnn!.best.requiredRank, 8);
    assert.deepEqual(r.fnn!.best.partition, [[1, 2], [3, 4]]);
  });

  it('tiny-llama-adapter: effective ranks of B·A as effective_ranks.json records them', async () => {
    const expected = json('tiny-llama-adapter', 'effective_ranks.json');
    const r = await analyze({ base: ex('tiny-llama-adapter') }, { backend: testBackend });
    assert.equal(r.kind, 'adapter');
    const a = r.adapter!;
    assert.equal(a.pairs.length, 4);
    for (const p of a.pairs) {
      const e = expected.modules[p.baseModule];
      assert.equal(p.configuredRank, e.configuredRank, p.baseModule);
      assert.equal(p.effectiveRank, e.effectiveRank, p.baseModule);
      assert.equal(p.wastedRank, e.configuredRank - e.effectiveRank);
      (expected.productSingularValues[p.baseModule] as number[]).forEach((s, k) =>
        assert.ok(Math.abs(p.singularValues[k]! / p.scale - s) < 1e-3, `${p.baseModule} σ_${k + 1}`));
    }
    assert.equal(a.wastedRankTotal, 10);
    assert.equal(a.baseThresholds?.worstCase.requiredRank, 32);
    assert.equal(r.models.base.architecture, 'llama');
  });

  it('llama-7b-config: architecture only, no backend, ⌈D/2⌉ = 2048', async () => {
    let loaded = false;
    const r = await analyze({ base: ex('llama-7b-config') }, { backend: async () => { loaded = true; return testBackend(); } });
    assert.equal(loaded, false);
    assert.equal(r.kind, 'architecture');
    assert.equal(r.backend, null);
    assert.equal(r.architecture!.transformer!.worstCase.requiredRank, 2048);
    const q = r.architecture!.modules.find((m) => m.name === 'model.layers.0.self_attn.q_proj')!;
    assert.deepEqual(q, { name: 'model.layers.0.self_attn.q_proj', role: 'q', layer: 0, shape: [4096, 4096], maxUsefulRank: 4096, loraParametersPerRank: 8192, fullUpdateParameters: 16777216, breakEvenRank: 2048 });
    assert.equal(r.architecture!.modules.length, 32 * 7 + 2);
  });

  it('a single MLP with a target depth: the FNN worst case (W1: D=16, L=4, L̄=2 → 8)', async () => {
    const r = await analyze({ base: ex('mlp-pair', 'frozen.safetensors'), targetDepth: 2 }, { backend: testBackend });
    assert.equal(r.backend, null);
    assert.deepEqual(r.architecture!.fnn!.worstCase.partition, [[1, 2], [3, 4]]);
    assert.equal(r.architecture!.fnn!.worstCase.requiredRank, 8);
  });
});
