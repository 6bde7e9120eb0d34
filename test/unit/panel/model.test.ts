/**
 * The panel's table model on real reports of the bundled examples (analysed here with the cpu backend):
 * rows, metrics at a budget against the theory core at every rank, sorting, figure data.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { loadBackend } from '../../../src/engine/backend';
import { analyze } from '../../../src/engine/analysis';
import {
  allMetricsAtBudget, buildHeadRows, buildRows, curveMaxRank, errorCurve, formatError, formatPercent, maxBudget, metricsAtBudget,
  paramsAcrossRanks, paramsAcrossRows, partitionPlans, reportKey, reportTitle, sortedOrder, summarizeBudget,
} from '../../../src/panel';
import type { Report } from '../../../src/protocol';
import { frobeniusErrorAfterRank, perMatrixError, retainedEnergy, spectralErrorAfterRank } from '../../../src/theory';

const EXAMPLES = path.resolve(__dirname, '..', '..', '..', '..', 'examples');
const ex = (...p: string[]) => path.join(EXAMPLES, ...p);
const backend = () => loadBackend('cpu');

/** Ranks planted in examples/tiny-llama-finetuned (its README). */
const PLANTED: Record<string, number> = {
  'model.layers.0.self_attn.q_proj': 4,
  'model.layers.0.self_attn.v_proj': 2,
  'model.layers.0.self_attn.o_proj': 3,
  'model.layers.1.mlp.down_proj': 1,
};

describe('panel model: transformer pair', () => {
  let report: Report;
  before(async () => {
    report = await analyze({ base: ex('tiny-llama-base'), target: ex('tiny-llama-finetuned') }, { backend });
  });

  it('has one row per module with the planted delta ranks and exact per-matrix requirements', () => {
    const rows = buildRows(report);
    assert.equal(rows.length, report.transformer!.modules.length);
    for (const [name, rank] of Object.entries(PLANTED)) {
      const row = rows.find((r) => r.id === name);
      assert.ok(row, name);
      assert.equal(row.measuredRank, rank);
      assert.equal(row.requiredRank, rank);
      assert.equal(row.rule.guarantee, 'exact');
    }
    const unchanged = rows.filter((r) => r.status === 'unchanged');
    assert.ok(unchanged.length > 0);
    assert.ok(unchanged.every((r) => r.requiredRank === 0 && r.sigma !== null && r.sigma.length === 0));
    assert.equal(maxBudget(rows), 64, 'min(in, out) of the 64×64 / 64×128 matrices');
  });

  it('computes errors, energy and parameters at every budget exactly as the theory core does', () => {
    const rows = buildRows(report).filter((r) => r.sigma !== null && r.sigma.length > 0);
    for (const row of rows) {
      const sigma = row.sigma!;
      for (let b = 0; b <= sigma.length + 1; b++) {
        const m = metricsAtBudget(row, b);
        assert.equal(m.spectral, spectralErrorAfterRank(sigma, b));
        assert.ok(Math.abs(m.frobenius! - frobeniusErrorAfterRank(sigma, b)) <= 1e-12 * (1 + frobeniusErrorAfterRank(sigma, 0)));
        assert.ok(Math.abs(m.retained! - retainedEnergy(sigma, b)) <= 1e-12, `${row.id} @${b}`);
        const [out, inn] = row.shape!;
        assert.equal(m.loraParameters, b * (out + inn));
        assert.equal(m.fullUpdateCheaper, b * (out + inn) > out * inn);
        assert.equal(m.meetsRequirement, b >= row.requiredRank);
      }
      // At the planted rank the error is the float32 noise floor, and one below it is not.
      const exact = perMatrixError(sigma, row.requiredRank);
      assert.equal(metricsAtBudget(row, row.requiredRank).spectral, exact.spectral);
      assert.ok(exact.spectral < 1e-5);
      if (row.requiredRank > 0) assert.ok(metricsAtBudget(row, row.requiredRank - 1).spectral! > 0.5);
    }
  });

  it('summarises a budget: rows meeting their requirement and parameters of the rows that need an update', () => {
    const rows = buildRows(report);
    const at2 = summarizeBudget(rows, allMetricsAtBudget(rows, 2), 2);
    // v_proj (2) and down_proj (1) are met at r = 2; q (4) and o (3) are not; unchanged modules need 0.
    assert.equal(at2.needing, 4);
    assert.equal(at2.meeting, rows.length - 2);
    const changed = rows.filter((r) => r.requiredRank > 0);
    assert.equal(at2.loraParameters, changed.reduce((s, r) => s + 2 * r.loraPerRank, 0));
    const at4 = summarizeBudget(rows, allMetricsAtBudget(rows, 4), 4);
    assert.equal(at4.meeting, rows.length);
    assert.ok(at4.worstRelativeSpectral! < 1e-5);
  });

  it('sorts by a column, numbers inside names compared numerically, rows without a value last', () => {
    const rows = buildRows(report);
    const metrics = allMetricsAtBudget(rows, 1);
    const byRequired = sortedOrder(rows, metrics, { key: 'required', direction: 'desc' }).map((i) => rows[i].id);
    assert.deepEqual(byRequired.slice(0, 4), ['model.layers.0.self_attn.q_proj', 'model.layers.0.self_attn.o_proj', 'model.layers.0.self_attn.v_proj', 'model.layers.1.mlp.down_proj']);
    const bySpectral = sortedOrder(rows, metrics, { key: 'spectral', direction: 'desc' }).map((i) => rows[i]);
    assert.equal(bySpectral[0].id, 'model.layers.0.self_attn.o_proj', 'σ₂ of o_proj (1.079) is the largest error left at r = 1');
    const asc = sortedOrder(rows, metrics, { key: 'name', direction: 'asc' });
    const desc = sortedOrder(rows, metrics, { key: 'name', direction: 'desc' });
    assert.deepEqual(desc, [...asc].reverse());
    const fake = [{ ...rows[0], id: 'm.layers.10.q', name: 'm.layers.10.q' }, { ...rows[0], id: 'm.layers.9.q', name: 'm.layers.9.q' }];
    assert.deepEqual(sortedOrder(fake, allMetricsAtBudget(fake, 1), { key: 'name', direction: 'asc' }), [1, 0]);
  });

  it('gives the selected module its error curve, parameter frontier, and every module at the budget', () => {
    const rows = buildRows(report);
    const q = rows.find((r) => r.id === 'model.layers.0.self_attn.q_proj')!;
    const max = curveMaxRank(q, 2);
    assert.equal(max, 8);
    const curve = errorCurve(q, max);
    assert.equal(curve.length, 9);
    assert.equal(curve[0].spectral, q.sigma![0]);
    assert.ok(curve[4].spectral < 1e-5 && curve[3].spectral > 0.5);
    const frontier = paramsAcrossRanks(q, curve, 2);
    assert.equal(frontier.filter((p) => p.highlight).length, 1);
    assert.equal(frontier[2].parameters, 2 * 128);
    const all = paramsAcrossRows(rows, allMetricsAtBudget(rows, 2), q.id);
    assert.equal(all.length, 4, 'only modules that changed');
    assert.equal(all.find((p) => p.highlight)?.label, q.name);
  });

  it('lists the attention heads and keys the panel by base + target', () => {
    const heads = buildHeadRows(report);
    assert.equal(heads.length, report.transformer!.heads.length);
    assert.ok(heads.every((h) => h.requiredRank === Math.ceil(h.gap / 2)));
    assert.notEqual(reportKey(report), reportKey({ ...report, models: { base: report.models.base } }));
    assert.equal(reportTitle(report), 'LoRA Lens: tiny-llama-finetuned vs tiny-llama-base');
  });
});

describe('panel model: FNN pair (mlp-pair-close)', () => {
  let report: Report;
  before(async () => {
    report = await analyze({ base: ex('mlp-pair-close', 'frozen.safetensors'), target: ex('mlp-pair-close', 'target.safetensors') }, { backend });
  });

  it('rows are the blocks of the chosen partition, with ⌈rank(E)/|P|⌉ per block', () => {
    // The example's README: uniform [[1,2,3],[4,5,6]] ranks 16,16 → 6; optimal [[1,2],[3,4,5,6]] ranks 3,16 → 4.
    const best = buildRows(report, 'best');
    assert.deepEqual(best.map((r) => [r.measuredRank, r.layers, r.requiredRank]), [[3, 2, 2], [16, 4, 4]]);
    const uniform = buildRows(report, 'uniform');
    assert.deepEqual(uniform.map((r) => [r.measuredRank, r.layers, r.requiredRank]), [[16, 3, 6], [16, 3, 6]]);
    // Rank r on each of |P| layers corrects r·|P| of E_i: at r = 2 the 2-layer block leaves σ_5.
    const m = metricsAtBudget(best[0], 2);
    assert.equal(m.spectral, spectralErrorAfterRank(best[0].sigma!, 4));
    assert.equal(m.loraParameters, 2 * 2 * 16 * 2);
    assert.equal(m.fullUpdateCheaper, false);
    assert.equal(metricsAtBudget(best[0], 9).fullUpdateCheaper, true, '9·32 > 16·16');
  });

  it('draws both partitions, uniform first', () => {
    const plans = partitionPlans(report);
    assert.deepEqual(plans.map((p) => [p.name, p.requiredRank]), [['uniform', 6], ['optimal', 4]]);
    assert.deepEqual(plans[1].partition, [[1, 2], [3, 4, 5, 6]]);
  });
});

describe('panel model: adapter and architecture', () => {
  it('adapter pairs show effective against configured rank', async () => {
    const report = await analyze({ base: ex('tiny-llama-adapter') }, { backend });
    const rows = buildRows(report);
    const q0 = rows.find((r) => r.id === 'model.layers.0.self_attn.q_proj');
    assert.ok(q0);
    assert.equal(q0.configuredRank, 8);
    assert.equal(q0.measuredRank, 3);
    assert.equal(q0.status, 'wastes 5 of 8');
    assert.equal(metricsAtBudget(q0, 3).spectral! < 1e-4 * q0.sigma![0], true);
  });

  it('architecture-only rows have no spectra: errors are "—", parameters still count', async () => {
    const report = await analyze({ base: ex('llama-7b-config') }, { backend });
    const rows = buildRows(report);
    assert.ok(rows.length >= 224, `${rows.length} modules`);
    const m = metricsAtBudget(rows.find((r) => r.role === 'q' || /q_proj/.test(r.id))!, 8);
    assert.equal(m.spectral, null);
    assert.equal(formatError(m.spectral), '—');
    assert.equal(formatPercent(m.retained), '—');
    assert.equal(m.loraParameters, 8 * (4096 + 4096));
    assert.equal(maxBudget(rows), 4096);
  });
});

describe('panel model: speed', () => {
  it('recomputes 224 modules × 4096 singular values at a new budget in well under 50 ms', () => {
    // Llama-7B-sized spectra (attention 4096×4096, MLP 4096×11008): 32 layers × 7 modules.
    const modules = Array.from({ length: 224 }, (_, i) => {
      const sigma = Array.from({ length: 4096 }, (_, k) => 3 * Math.exp(-k / (8 + (i % 50))));
      return {
        name: `model.layers.${Math.floor(i / 7)}.m${i % 7}`, role: 'q', layer: Math.floor(i / 7), shape: [4096, i % 7 < 4 ? 4096 : 11008] as [number, number],
        dtype: 'F16', status: 'changed' as const, deltaRank: 4096, tolerance: 0, singularValues: sigma, frobeniusNorm: 1, toleranceScale: 1,
        errors: { spectral: [], frobenius: [], retainedEnergy: [] },
        requirement: { rule: 'per-matrix-delta-rank', ruleText: '', guarantee: 'exact' as const, requiredRank: 64 }, breakEvenRank: 1,
      };
    });
    const report = { transformer: { modules, heads: [] }, models: { base: { source: 'b', architecture: 'llama', parameters: 1 } } } as unknown as Report;
    const rows = buildRows(report);
    allMetricsAtBudget(rows, 8); // first use caches each spectrum's tail sums
    const times: number[] = [];
    for (const b of [1, 4, 16, 64, 256, 1024]) {
      const t = performance.now();
      const metrics = allMetricsAtBudget(rows, b);
      summarizeBudget(rows, metrics, b);
      sortedOrder(rows, metrics, { key: 'spectral', direction: 'desc' });
      times.push(performance.now() - t);
    }
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
    assert.ok(median < 25, `median ${median.toFixed(2)} ms (${times.map((t) => t.toFixed(1)).join(', ')})`);
  });
});
