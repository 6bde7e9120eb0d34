/**
 * PEFT adapter: effective rank of each scaled B·A (σ from the r×r core R_B·R_Aᵀ of the QRs of B and
 * Aᵀ: exact, never the out×in product), rank wasted against the configured r, and the configured
 * ranks against the thresholds of the base model when it can be read.
 */
import { readTensor } from '../../formats/safetensors';
import { checkAdapterAgainstModel } from '../../formats/adapter';
import type { AdapterSpec, ModelSpec } from '../../formats/types';
import type { AdapterPairReport, AdapterReport, ToleranceInfo } from '../../protocol';
import { fullUpdateCheaper } from '../../theory';
import { transformerThresholds } from './architecture';
import { AnalysisInputError, throwIfCancelled, type AnalysisContext } from './context';
import { type DenseMatrix as Mat, firstNonFinite, productCore } from '../linalg';
import { coarserDtype } from './dtypes';
import { decideRank, spectrum } from './spectra';

export interface AdapterInputs {
  adapter: AdapterSpec;
  base?: ModelSpec;
  policy: ToleranceInfo;
  notes: string[];
}

export async function analyzeAdapter(inp: AdapterInputs, ctx: AnalysisContext): Promise<AdapterReport> {
  const { adapter, base } = inp;
  if (adapter.pairs.length === 0) inp.notes.push(`${adapter.source}: no adapter_model.safetensors, only the configuration was checked`);
  if (base) checkAdapterAgainstModel(adapter, base);
  const baseByName = new Map(base?.modules.map((m) => [m.name, m]) ?? []);
  const pairs: AdapterPairReport[] = [];
  for (let k = 0; k < adapter.pairs.length; k++) {
    throwIfCancelled(ctx.signal);
    const p = adapter.pairs[k]!;
    ctx.onProgress(k / adapter.pairs.length, p.baseModule);
    const A: Mat = { data: await readTensor(p.a, { float64: true }), rows: p.a.shape[0]!, cols: p.a.shape[1]! };
    const B: Mat = { data: await readTensor(p.b, { float64: true }), rows: p.b.shape[0]!, cols: p.b.shape[1]! };
    for (const [name, m] of [['lora_A', A], ['lora_B', B]] as const) {
      const bad = firstNonFinite(m.data);
      if (bad >= 0) throw new AnalysisInputError(`${adapter.weightsFile ?? adapter.source}: ${name} of ${p.baseModule} holds ${m.data[bad]}`);
    }
    const out = B.rows;
    const inn = A.cols;
    const core = productCore(B, A);
    for (let i = 0; i < core.data.length; i++) core.data[i] = (core.data[i] as number) * p.scale;
    const sigma = Array.from(await spectrum(core, ctx)).slice(0, p.rank);
    while (sigma.length < p.rank) sigma.push(0);
    // Tolerance scale: the operands' magnitude |scale|·‖B‖₂‖A‖₂ (exact σ₁ of the thin factors).
    const sB = (await spectrum(B, ctx))[0] ?? 0;
    const sA = (await spectrum(A, ctx))[0] ?? 0;
    const dtype = coarserDtype(p.a.dtype, p.b.dtype);
    const { rank, tolerance } = decideRank(sigma, { m: out, n: inn, dtype, scale: Math.abs(p.scale) * sA * sB }, inp.policy);
    const baseModule = baseByName.get(p.baseModule);
    pairs.push({
      baseModule: p.baseModule,
      configuredRank: p.rank,
      effectiveRank: rank,
      tolerance,
      singularValues: sigma,
      wastedRank: p.rank - rank,
      scale: p.scale,
      maxUsefulRank: baseModule ? Math.min(...(baseModule.shape as [number, number])) : Math.min(out, inn),
      shape: [out, inn],
      fullUpdateCheaper: fullUpdateCheaper(inn, out, p.rank).fullUpdateCheaper,
    });
  }
  ctx.onProgress(1, 'done');
  const thresholds = base ? transformerThresholds(base) : undefined;
  const findings: string[] = [];
  if (thresholds) {
    const worst = thresholds.worstCase.requiredRank;
    for (const pr of pairs) {
      if (pr.configuredRank >= worst) findings.push(`${pr.baseModule}: r = ${pr.configuredRank} reaches the worst-case threshold ⌈D/2⌉ = ${worst}`);
      if (pr.maxUsefulRank !== null && pr.configuredRank > pr.maxUsefulRank) findings.push(`${pr.baseModule}: r = ${pr.configuredRank} exceeds min(in, out) = ${pr.maxUsefulRank}`);
      if (pr.fullUpdateCheaper) findings.push(`${pr.baseModule}: r = ${pr.configuredRank} costs more parameters than a full update of the matrix`);
    }
    if (findings.length === 0) findings.push(`every configured rank is below the worst-case threshold ⌈D/2⌉ = ${worst} and below min(in, out)`);
  } else if (!base) {
    inp.notes.push('base model not available: configured ranks were not compared with its thresholds');
  }
  const report: AdapterReport = {
    r: adapter.r,
    loraAlpha: adapter.loraAlpha,
    useRslora: adapter.useRslora,
    targetModules: adapter.targetModules,
    rankPattern: adapter.rankPattern,
    baseModel: adapter.baseModelNameOrPath,
    pairs,
    effectiveRankPattern: Object.fromEntries(pairs.map((p) => [p.baseModule, p.effectiveRank])),
    thresholdFindings: findings,
    wastedRankTotal: pairs.reduce((s, p) => s + p.wastedRank, 0),
  };
  if (thresholds) report.baseThresholds = thresholds;
  return report;
}
