/**
 * Transformer pair (base vs fine-tuned, same architecture): per-module ΔW = W̄ − W in float64, its
 * spectrum, rank, errors and retained energy; per-head Q·K / O·V product gaps; a PEFT rank_pattern
 * for an energy or error target; modules where a full update is cheaper (theory §6).
 * Tensors are read one module at a time (plus one layer's attention matrices for the head gaps).
 */
import type { ModelSpec, ModuleSpec } from '../../formats/types';
import type { HeadGapReport, RankTarget, ToleranceInfo, TransformerModuleReport, TransformerReport } from '../../protocol';
import { fullUpdateCheaper, perMatrixRequiredRank, retainedEnergy, smallestRankForError } from '../../theory';
import { throwIfCancelled, type AnalysisContext } from './context';
import { firstNonFinite, frobenius } from '../linalg';
import { coarserDtype } from './dtypes';
import { headGaps, splitFused, type LayerAttention, type PairedMatrix } from './heads';
import { ruleRef } from './rules';
import { decideRank, spectralNormEstimate, spectrum } from './spectra';
import { isMatrixModule, readMatrix } from './weights';

export const DEFAULT_RANK_TARGET: RankTarget = { kind: 'energy', value: 0.99 };

/** Bytes per element a module needs while its delta is analysed: both weights, Δ in float64, SVD work. */
const BYTES_PER_ELEMENT = 4 + 4 + 8 + 16;

/** Largest working memory of one step: one module's delta, plus the attention matrices kept for one layer. */
export function estimateTransformerMemory(model: ModelSpec): number {
  let largestModule = 0;
  const attentionPerLayer = new Map<number, number>();
  for (const m of model.modules) {
    if (!isMatrixModule(m)) continue;
    const elements = (m.shape[0] as number) * (m.shape[1] as number);
    largestModule = Math.max(largestModule, elements * BYTES_PER_ELEMENT);
    if (isAttention(m) && m.layer !== undefined) {
      const bytes = elements * 2 * (m.dtype === 'F64' || m.transposed ? 8 : 4);
      attentionPerLayer.set(m.layer, (attentionPerLayer.get(m.layer) ?? 0) + bytes);
    }
  }
  return largestModule + Math.max(0, ...attentionPerLayer.values());
}

function isAttention(m: ModuleSpec): boolean {
  return m.role === 'q' || m.role === 'k' || m.role === 'v' || m.role === 'o' || m.role === 'qkv';
}

export interface TransformerInputs {
  base: ModelSpec;
  target: ModelSpec;
  policy: ToleranceInfo;
  rankTarget: RankTarget;
  rank?: number;
  notes: string[];
}

export async function analyzeTransformerPair(inp: TransformerInputs, ctx: AnalysisContext): Promise<TransformerReport> {
  const targetByName = new Map(inp.target.modules.map((m) => [m.name, m]));
  const modules = inp.base.modules.filter(isMatrixModule);
  const totalWork = modules.reduce((s, m) => s + (m.shape[0] as number) * (m.shape[1] as number), 0) || 1;
  let done = 0;
  const reports: TransformerModuleReport[] = [];
  const heads: HeadGapReport[] = [];
  const dims = inp.base.transformer;
  // Attention matrices of the current layer, kept until its head gaps are computed.
  let layerOf: number | undefined;
  let attention = new Map<string, PairedMatrix>();
  let attentionDtype = 'F64';

  const flushHeads = async (): Promise<void> => {
    if (layerOf !== undefined && dims) {
      const att = layerAttention(attention, inp.base.modules.filter((m) => m.layer === layerOf));
      if (att) heads.push(...(await headGaps(layerOf, att, dims, attentionDtype, inp.policy, ctx)));
      else if (attention.size > 0) inp.notes.push(`layer ${layerOf}: attention projections incomplete or invalid; head gaps skipped`);
    }
    attention = new Map();
    attentionDtype = 'F64';
  };

  for (const m of modules) {
    throwIfCancelled(ctx.signal);
    if (m.layer !== layerOf) {
      await flushHeads();
      layerOf = m.layer;
    }
    ctx.onProgress(done / totalWork, m.name);
    const t = targetByName.get(m.name)!;
    const { report, pair } = await analyzeModule(m, t, inp, ctx);
    reports.push(report);
    if (pair && isAttention(m) && report.status !== 'invalid') {
      attention.set(m.name, pair);
      attentionDtype = coarserDtype(attentionDtype, coarserDtype(m.dtype, t.dtype));
    }
    done += (m.shape[0] as number) * (m.shape[1] as number);
  }
  await flushHeads();
  ctx.onProgress(1, 'done');

  const { rankPattern, r, cheaper } = recommend(reports, inp.rankTarget);
  const invalid = reports.filter((x) => x.status === 'invalid');
  if (invalid.length > 0) inp.notes.push(`${invalid.length} module(s) hold NaN/Inf and were not analysed: ${invalid.slice(0, 5).map((x) => x.name).join(', ')}`);
  return {
    modules: reports,
    heads,
    target: inp.rankTarget,
    rankPattern,
    r,
    fullUpdateCheaper: cheaper,
    headLowerBound: Math.max(0, ...heads.map((h) => h.requiredRank)),
  };
}

/** The four projections of one layer, split from a fused q/k/v when needed; undefined if incomplete. */
function layerAttention(pairs: Map<string, PairedMatrix>, layerModules: readonly ModuleSpec[]): LayerAttention | undefined {
  const byRole = new Map<string, PairedMatrix>();
  for (const m of layerModules) {
    const p = pairs.get(m.name);
    if (!p) continue;
    if (m.role === 'qkv' && m.fusedSlices) {
      const b = splitFused(p.base, m.fusedSlices);
      const t = splitFused(p.target, m.fusedSlices);
      for (const role of ['q', 'k', 'v'] as const) byRole.set(role, { base: b[role], target: t[role] });
    } else byRole.set(m.role, p);
  }
  const q = byRole.get('q');
  const k = byRole.get('k');
  const v = byRole.get('v');
  const o = byRole.get('o');
  return q && k && v && o ? { q, k, v, o } : undefined;
}

async function analyzeModule(
  m: ModuleSpec, t: ModuleSpec, inp: TransformerInputs, ctx: AnalysisContext,
): Promise<{ report: TransformerModuleReport; pair?: PairedMatrix }> {
  const [out, inn] = m.shape as [number, number];
  const p = Math.min(out, inn);
  const dtype = coarserDtype(m.dtype, t.dtype);
  const breakEvenRank = fullUpdateCheaper(inn, out, 1).breakEvenRank;
  const base: TransformerModuleReport = {
    name: m.name, role: m.role, layer: m.layer ?? null, shape: [out, inn], dtype, status: 'unchanged',
    deltaRank: 0, tolerance: 0, singularValues: [], frobeniusNorm: 0, toleranceScale: 0,
    errors: { spectral: [0], frobenius: [0], retainedEnergy: [1] },
    requirement: { ...ruleRef(perMatrixRequiredRank(0)), requiredRank: 0 }, breakEvenRank,
  };
  const W = await readMatrix(m);
  const Wbar = await readMatrix(t);
  for (const [which, mat, source] of [['base', W, inp.base.source], ['target', Wbar, inp.target.source]] as const) {
    const bad = firstNonFinite(mat.data);
    if (bad >= 0) {
      const problem = `${which} (${source}) holds ${mat.data[bad]} at row ${Math.floor(bad / mat.cols)}, column ${bad % mat.cols}`;
      return { report: { ...base, status: 'invalid', problem, errors: { spectral: [], frobenius: [], retainedEnergy: [] } } };
    }
  }
  const delta = new Float64Array(W.data.length);
  let nonzero = false;
  for (let k = 0; k < delta.length; k++) {
    const d = (Wbar.data[k] as number) - (W.data[k] as number);
    delta[k] = d;
    if (d !== 0) nonzero = true;
  }
  const pair = { base: W, target: Wbar };
  if (!nonzero) {
    if (inp.rank !== undefined) base.atRank = { rank: inp.rank, spectral: 0, frobenius: 0, retainedEnergy: 1 };
    return { report: base, pair };
  }
  const sigma = await spectrum({ data: delta, rows: out, cols: inn }, ctx);
  const scale = spectralNormEstimate(W, 20, 1e-3) + spectralNormEstimate(Wbar, 20, 1e-3);
  const { rank, tolerance } = decideRank(sigma, { m: out, n: inn, dtype, scale }, inp.policy);
  const sig = Array.from(sigma);
  const last = Math.min(rank + 1, p);
  const tails = tailNorms(sig);
  const errors = { spectral: [] as number[], frobenius: [] as number[], retainedEnergy: [] as number[] };
  for (let r = 0; r <= last; r++) {
    errors.spectral.push(r < sig.length ? sig[r]! : 0);
    errors.frobenius.push(tails[Math.min(r, sig.length)]!);
    errors.retainedEnergy.push(retainedEnergy(sig, r));
  }
  const report: TransformerModuleReport = {
    ...base,
    status: rank > 0 ? 'changed' : 'unchanged',
    deltaRank: rank,
    tolerance,
    toleranceScale: scale,
    singularValues: sig,
    frobeniusNorm: frobenius(delta),
    errors,
    requirement: { ...ruleRef(perMatrixRequiredRank(rank, { inFeatures: inn, outFeatures: out })), requiredRank: rank },
  };
  if (inp.rank !== undefined) {
    const r = inp.rank;
    report.atRank = { rank: r, spectral: r < sig.length ? sig[r]! : 0, frobenius: tails[Math.min(r, sig.length)]!, retainedEnergy: retainedEnergy(sig, r) };
  }
  return { report, pair };
}

/** tails[r] = sqrt(Σ_{k>r} σ_k²) for r = 0…n. */
function tailNorms(sigma: readonly number[]): number[] {
  const out = new Array<number>(sigma.length + 1).fill(0);
  let acc = 0;
  for (let k = sigma.length - 1; k >= 0; k--) {
    acc += sigma[k]! * sigma[k]!;
    out[k] = Math.sqrt(acc);
  }
  return out;
}

/** Smallest rank meeting the target for each changed module (never above its delta rank, at least 1). */
export function recommendedRank(sigma: readonly number[], deltaRank: number, target: RankTarget): number {
  if (deltaRank === 0) return 0;
  let r: number;
  if (target.kind === 'energy') {
    r = 0;
    while (r < deltaRank && retainedEnergy(sigma, r) < target.value) r++;
  } else {
    r = smallestRankForError(sigma, 1, target.value * (sigma[0] ?? 0), 'spectral').requiredRank;
  }
  return Math.max(1, Math.min(r, deltaRank));
}

function recommend(reports: readonly TransformerModuleReport[], target: RankTarget) {
  const rankPattern: Record<string, number> = {};
  const cheaper: TransformerReport['fullUpdateCheaper'] = [];
  for (const m of reports) {
    if (m.status !== 'changed') continue;
    const r = recommendedRank(m.singularValues, m.deltaRank, target);
    rankPattern[m.name] = r;
    const [out, inn] = m.shape;
    const cmp = fullUpdateCheaper(inn, out, r);
    if (cmp.fullUpdateCheaper) cheaper.push({ name: m.name, rank: r, loraParameters: cmp.loraParameters, fullParameters: cmp.fullParameters });
  }
  return { rankPattern, r: Math.max(0, ...Object.values(rankPattern)), cheaper };
}
