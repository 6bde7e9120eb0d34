/**
 * FNN pair (frozen L layers, target L̄ ≤ L, both width D): discrepancies E_i = W̄_i − ∏_{l∈P_i} W_l
 * for the uniform and the optimal partition, their spectra, ranks, block errors, whole-network
 * bounds, the non-singularity check and the final-layer-tuning comparison (theory §2, §3, §5).
 */
import type { ModelSpec } from '../../formats/types';
import type { FnnPartitionReport, FnnReport } from '../../protocol';
import type { ToleranceInfo } from '../../protocol';
import {
  errorTable, finalLayerTuningComparison, fnnThresholdFromRanks, nonSingularityHypothesis, optimalPartitionAsync,
  paperNetworkBound, rigorousNetworkBound, uniformPartition, type InvertibilityCheck, type Partition,
} from '../../theory';
import { sequentialLayers, uniformWidth } from './architecture';
import { AnalysisInputError, throwIfCancelled, type AnalysisContext } from './context';
import { type DenseMatrix as Mat, firstNonFinite, frobenius, jacobiSvd, lowRankApproximation, matmul64, norm2 } from '../linalg';
import { coarserDtype } from './dtypes';
import { ruleRef } from './rules';
import { decideRank, spectralNormEstimate, spectrum, toleranceFor, yieldToEventLoop } from './spectra';
import { readBias, readMatrix } from './weights';

type M64 = Mat & { data: Float64Array };

/** Bytes the FNN analysis needs at most: layers, cached block products and SVD work. */
export function estimateFnnMemory(D: number, L: number, Lbar: number): number {
  const mat = D * D * 8;
  const cachedProducts = Math.min((L * (L + 1)) / 2, PRODUCT_CACHE_LIMIT);
  return mat * (L + Lbar + cachedProducts + 8);
}

/** Block products kept in memory at once (recomputed beyond). */
const PRODUCT_CACHE_LIMIT = 256;
/** Widths above this skip the non-singularity check (its Jacobi SVD with vectors is O(D³) per sweep in TypeScript). */
const NON_SINGULARITY_MAX_WIDTH = 512;

interface BlockSpectrum {
  sigma: Float64Array;
  rank: number;
  tolerance: number;
}

export interface FnnInputs {
  frozen: ModelSpec;
  target: ModelSpec;
  policy: ToleranceInfo;
  inputScale: number;
  notes: string[];
}

export async function analyzeFnnPair(inp: FnnInputs, ctx: AnalysisContext): Promise<FnnReport> {
  const frozenLayers = sequentialLayers(inp.frozen);
  const targetLayers = sequentialLayers(inp.target);
  const D = uniformWidth(inp.frozen, frozenLayers);
  const Dt = uniformWidth(inp.target, targetLayers);
  const L = frozenLayers.length;
  const Lbar = targetLayers.length;
  if (Dt !== D) throw new AnalysisInputError(`widths differ: frozen ${inp.frozen.source} has D=${D}, target ${inp.target.source} has D=${Dt}`);
  if (Lbar > L) {
    throw new AnalysisInputError(`the frozen model (${inp.frozen.source}, ${L} layers) must be at least as deep as the target (${inp.target.source}, ${Lbar} layers)`);
  }
  const dtype = [...frozenLayers, ...targetLayers].map((m) => m.dtype).reduce(coarserDtype);

  // Weights: every layer as float64 [D, D]; biases of the target for the bounds.
  const W: M64[] = [];
  for (const m of frozenLayers) W.push(await finiteMatrix(m.name, inp.frozen.source, await readMatrix(m, true)));
  const Wbar: M64[] = [];
  const biasNorms: number[] = [];
  let missingBias = false;
  for (const m of targetLayers) {
    Wbar.push(await finiteMatrix(m.name, inp.target.source, await readMatrix(m, true)));
    const b = await readBias(m);
    if (!b) missingBias = true;
    biasNorms.push(b ? norm2(b) : 0);
  }
  if (missingBias) inp.notes.push('some target layers have no bias: ‖b̄_i‖ = 0 used in the bounds');
  ctx.onProgress(0.05, 'target spectra');

  const targetSigma: Float64Array[] = [];
  for (const w of Wbar) targetSigma.push(await spectrum(w, ctx));
  const targetSpectral = targetSigma.map((s) => s[0] ?? 0);
  const targetFrobenius = Wbar.map((w) => frobenius(w.data));

  // Block products W_e ⋯ W_s, float64, cached.
  const products = new Map<number, M64>();
  const productOf = (s: number, e: number): M64 => {
    const key = s * (L + 1) + e;
    const hit = products.get(key);
    if (hit) return hit;
    const value = s === e ? W[s - 1]! : matmul64(W[e - 1]!, productOf(s, e - 1));
    if (products.size < PRODUCT_CACHE_LIMIT) products.set(key, value);
    return value;
  };

  // The oracle: spectrum and rank of E_i for block [s, e], each computed once.
  const spectra = new Map<string, BlockSpectrum>();
  const feasible = L * Lbar; // rough progress scale for the search
  const blockSpectrum = async (i: number, s: number, e: number): Promise<BlockSpectrum> => {
    const key = `${i}:${s}:${e}`;
    const hit = spectra.get(key);
    if (hit) return hit;
    throwIfCancelled(ctx.signal);
    const P = productOf(s, e);
    const Wb = Wbar[i - 1]!;
    const E = new Float64Array(D * D);
    for (let k = 0; k < E.length; k++) E[k] = (Wb.data[k] as number) - (P.data[k] as number);
    const sigma = await spectrum({ data: E, rows: D, cols: D }, ctx);
    const scale = (targetSpectral[i - 1] ?? 0) + spectralNormEstimate(P, 100, 1e-6);
    const { rank, tolerance } = decideRank(sigma, { m: D, n: D, dtype, scale }, inp.policy);
    const value = { sigma, rank, tolerance };
    spectra.set(key, value);
    ctx.onProgress(0.1 + 0.6 * Math.min(1, spectra.size / Math.max(feasible, 1)), `discrepancy E_${i} of layers ${s}–${e}`);
    return value;
  };

  const uniform = uniformPartition(L, Lbar);
  const uniformSpectra: BlockSpectrum[] = [];
  for (let b = 0; b < uniform.length; b++) {
    const block = uniform[b]!;
    uniformSpectra.push(await blockSpectrum(b + 1, block[0]!, block[block.length - 1]!));
  }
  const search = await optimalPartitionAsync(L, Lbar, async (i, s, e) => (await blockSpectrum(i, s, e)).rank, {
    maxRank: D,
    completeBlockRanks: true,
  });
  const bestSpectra: BlockSpectrum[] = [];
  for (let b = 0; b < search.partition.length; b++) {
    const block = search.partition[b]!;
    bestSpectra.push(await blockSpectrum(b + 1, block[0]!, block[block.length - 1]!));
  }
  ctx.onProgress(0.75, 'errors and bounds');

  const uniformReport = partitionReport(uniform, uniformSpectra, D);
  const bestReport = {
    ...partitionReport(search.partition, bestSpectra, D),
    ...ruleRef(search),
    oracleCalls: search.oracleCalls,
    candidateBlocks: search.feasibleTriples,
  };
  const scale2 = inp.inputScale * inp.inputScale;
  const input = `x ~ N(0, ${inp.inputScale === 1 ? '' : `${scale2}·`}I_${D}) assumed: tr Σ = ${scale2 * D}, ‖Σ‖_F = ${scale2 * Math.sqrt(D)}`;
  const boundsFor = (rows: FnnPartitionReport['blockErrors'], R: number) => {
    const E = rows[R]!.spectral;
    const rigorous = rigorousNetworkBound({ targetSpectralNorms: targetSpectral, targetBiasNorms: biasNorms, blockErrors: E, inputSecondMomentTrace: scale2 * D });
    const paper = paperNetworkBound({ targetFrobeniusNorms: targetFrobenius, targetBiasNorms: biasNorms, blockErrors: E, inputSecondMomentFrobenius: scale2 * Math.sqrt(D) });
    return { rigorous, paper };
  };
  const rigorousRows = [];
  const paperRows = [];
  let rigorousRule;
  let paperRule;
  for (let R = 0; R <= D; R++) {
    const u = boundsFor(uniformReport.blockErrors, R);
    const b = boundsFor(bestReport.blockErrors, R);
    rigorousRule = u.rigorous;
    paperRule = u.paper;
    rigorousRows.push({ rank: R, bound: u.rigorous.bound, best: b.rigorous.bound });
    paperRows.push({ rank: R, bound: u.paper.bound, best: b.paper.bound });
  }

  ctx.onProgress(0.8, 'non-singularity check');
  const nonSingularity = await checkNonSingularity({
    D, dtype, W, Wbar, productOf, policy: inp.policy, ctx,
    partitions: [
      { name: 'uniform', partition: uniform, R: uniformReport.requiredRank },
      { name: 'optimal', partition: search.partition, R: bestReport.requiredRank },
    ],
  });
  const flt = finalLayerTuningComparison(D, L);
  const fltCaveats = Lbar === 1 ? [] : [`stated for a one-layer target; this target has ${Lbar} layers (shown for comparison)`];
  ctx.onProgress(1, 'done');
  return {
    frozenDepth: L,
    targetDepth: Lbar,
    width: D,
    uniform: uniformReport,
    best: bestReport,
    spectraComputed: spectra.size,
    bounds: {
      input,
      rigorous: { ...ruleRef(rigorousRule!), byRank: rigorousRows },
      paper: { ...ruleRef(paperRule!), byRank: paperRows },
    },
    nonSingularity,
    finalLayerTuning: {
      ...ruleRef(flt, fltCaveats),
      loraRank: flt.loraRank,
      loraParameters: flt.loraParameters,
      finalLayerParameters: flt.finalLayerTuningParameters,
    },
  };
}

async function finiteMatrix(name: string, source: string, m: Mat): Promise<M64> {
  const bad = firstNonFinite(m.data);
  if (bad >= 0) {
    throw new AnalysisInputError(`${source}: layer ${name} holds ${m.data[bad]} at row ${Math.floor(bad / m.cols)}, column ${bad % m.cols}; the FNN analysis needs every layer`);
  }
  return m.data instanceof Float64Array ? (m as M64) : { ...m, data: Float64Array.from(m.data) };
}

function partitionReport(partition: Partition, spectra: BlockSpectrum[], D: number): FnnPartitionReport {
  const ranks = spectra.map((s) => s.rank);
  const threshold = fnnThresholdFromRanks(ranks, partition, D);
  return {
    ...ruleRef(threshold),
    partition,
    discrepancyRanks: ranks,
    discrepancySpectra: spectra.map((s) => Array.from(s.sigma)),
    tolerances: spectra.map((s) => s.tolerance),
    requiredRank: threshold.requiredRank,
    // Singular values at or below the rank tolerance are rounding noise: they count as zero, so the
    // errors vanish exactly at the required rank (the raw values stay in discrepancySpectra).
    blockErrors: errorTable(spectra.map((s) => Array.from(s.sigma, (x) => (x > s.tolerance ? x : 0))), D, partition.map((b) => b.length)),
  };
}

interface NonSingularityInput {
  D: number;
  dtype: string;
  W: M64[];
  Wbar: M64[];
  productOf: (s: number, e: number) => M64;
  policy: ToleranceInfo;
  ctx: AnalysisContext;
  partitions: { name: string; partition: Partition; R: number }[];
}

/**
 * Smallest singular values of every frozen W_l and of ∏_{l∈P_i} W_l + LR_r(E_i) for
 * r = R, 2R, …, R(|P_i|−1) (the matrices the construction inverts), for each partition at its
 * required rank R. A matrix counts as singular when σ_min ≤ max(m,n)·ε_dtype·σ₁ (theory §7).
 */
async function checkNonSingularity(inp: NonSingularityInput): Promise<FnnReport['nonSingularity']> {
  const { D, dtype, W, ctx } = inp;
  const checks: (InvertibilityCheck & { tolerance: number })[] = [];
  const invertibility = async (label: string, m: M64): Promise<void> => {
    const sigma = await spectrum(m, ctx);
    const s1 = sigma[0] ?? 0;
    checks.push({ label, minSingularValue: sigma[sigma.length - 1] ?? 0, tolerance: toleranceFor(D, D, dtype, s1, s1, inp.policy) });
  };
  for (let l = 0; l < W.length; l++) await invertibility(`W_${l + 1}`, W[l]!);
  let checked = `every frozen W_l (l = 1…${W.length})`;
  if (D > NON_SINGULARITY_MAX_WIDTH) {
    checked += `; the block matrices ∏W + LR_r(E_i) were not checked (width ${D} > ${NON_SINGULARITY_MAX_WIDTH})`;
  } else {
    checked += ', and ∏_{l∈P_i} W_l + LR_r(E_i) for r = R, 2R, …, R(|P_i|−1) for the uniform and the optimal partition at their required ranks R';
    const seen = new Set<string>();
    for (const { partition, R } of inp.partitions) {
      if (R === 0) continue;
      for (let b = 0; b < partition.length; b++) {
        const block = partition[b]!;
        if (block.length < 2) continue;
        const s = block[0]!;
        const e = block[block.length - 1]!;
        const labels = Array.from({ length: block.length - 1 }, (_, j) => ({ r: R * (j + 1), label: `${productLabel(s, e)} + LR_${R * (j + 1)}(E_${b + 1})` }))
          .filter(({ label }) => !seen.has(label));
        if (labels.length === 0) continue;
        const P = inp.productOf(s, e);
        const E = new Float64Array(D * D);
        for (let k = 0; k < E.length; k++) E[k] = (inp.Wbar[b]!.data[k] as number) - (P.data[k] as number);
        await yieldToEventLoop();
        const svd = jacobiSvd({ data: E, rows: D, cols: D }, 60, () => throwIfCancelled(ctx.signal));
        for (const { r, label } of labels) {
          seen.add(label);
          const lr = lowRankApproximation(svd, r);
          const M = new Float64Array(D * D);
          for (let k = 0; k < M.length; k++) M[k] = (P.data[k] as number) + (lr[k] as number);
          await invertibility(label, { data: M, rows: D, cols: D });
        }
      }
    }
  }
  const result = nonSingularityHypothesis(checks);
  return {
    ...ruleRef(result),
    status: result.status,
    singular: result.singular,
    checked,
    checks: checks.map((c) => ({ label: c.label, minSingularValue: c.minSingularValue, tolerance: c.tolerance })),
  };
}

/** 'W_4 W_3' for layers 3…4 (later layers on the left). */
function productLabel(s: number, e: number): string {
  const parts: string[] = [];
  for (let l = e; l >= s; l--) parts.push(`W_${l}`);
  return parts.join(' ');
}
