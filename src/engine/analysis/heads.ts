/**
 * Per-head product gaps (theory §6): scores depend on W_Q, W_K only through W_K^{g(h)ᵀ} W_Q^h, values
 * through W_O^h W_V^{g(h)}. The D×D gap has rank ≤ 2·d_head, so its spectrum comes from a
 * 2d_head × 2d_head core (QR of both factors), never from the D×D product:
 *   W̄_Kᵀ W̄_Q − W_Kᵀ W_Q = [W̄_Kᵀ, ΔKᵀ] · [ΔQ; W_Q],   W̄_O W̄_V − W_O W_V = [W̄_O, ΔO] · [ΔV; W_V].
 * Written with the float64 deltas, the gap is resolved relative to ‖W̄‖·‖Δ‖, not ‖W‖².
 */
import type { TransformerDims } from '../../formats/types';
import type { HeadGapReport, ToleranceInfo } from '../../protocol';
import { kvHeadOfQueryHead, perHeadRequiredRank } from '../../theory';
import type { AnalysisContext } from './context';
import { colSlice, type DenseMatrix as Mat, productCore, rowSlice, stackRows, transpose } from '../linalg';
import { decideRank, spectralNormEstimate, spectrum } from './spectra';

/** One attention matrix of one layer in both models, [out, in]. */
export interface PairedMatrix {
  base: Mat;
  target: Mat;
}

/** The four projections of one layer (q, k, v as [heads·d_head, D]; o as [D, heads·d_head]). */
export interface LayerAttention {
  q: PairedMatrix;
  k: PairedMatrix;
  v: PairedMatrix;
  o: PairedMatrix;
}

function sameData(a: Mat, b: Mat): boolean {
  if (a.data.length !== b.data.length) return false;
  for (let k = 0; k < a.data.length; k++) if (a.data[k] !== b.data[k]) return false;
  return true;
}

function difference(a: Mat, b: Mat): { m: Mat & { data: Float64Array }; zero: boolean } {
  const out = new Float64Array(a.data.length);
  let zero = true;
  for (let k = 0; k < out.length; k++) {
    const d = (a.data[k] as number) - (b.data[k] as number);
    out[k] = d;
    if (d !== 0) zero = false;
  }
  return { m: { data: out, rows: a.rows, cols: a.cols }, zero };
}

/** One head's slice of a matrix in both models, with ‖·‖₂ estimates (computed once, shared by heads). */
interface Slice {
  bar: Mat;
  base: Mat;
  same: boolean;
  /** [‖bar‖₂, ‖base‖₂], estimated on first use. */
  norms: () => [number, number];
}

function slice(bar: Mat, base: Mat): Slice {
  let norms: [number, number] | undefined;
  const s: Slice = { bar, base, same: sameData(bar, base), norms: () => (norms ??= [spectralNormEstimate(s.bar), spectralNormEstimate(s.base)]) };
  return s;
}

/**
 * Rank of `leftBar·rightBar − left·right` (D×D products of D×k and k×D factors), computed as
 * `[leftBar, ΔL] · [ΔR; right]` (just `leftBar·ΔR` or `ΔL·right` when one factor is unchanged).
 * Tolerance scale: ‖leftBar‖₂‖rightBar‖₂ + ‖left‖₂‖right‖₂ (power-iteration estimates).
 */
async function gapRank(left: Slice, right: Slice, dtype: string, policy: ToleranceInfo, ctx: AnalysisContext): Promise<{ gap: number; tolerance: number }> {
  if (left.same && right.same) return { gap: 0, tolerance: 0 };
  const dL = difference(left.bar, left.base);
  const dR = difference(right.bar, right.base);
  let core: Mat;
  if (dL.zero) core = productCore(left.bar, dR.m);
  else if (dR.zero) core = productCore(dL.m, right.base);
  else core = productCore(transpose(stackRows(transpose(left.bar), transpose(dL.m))), stackRows(dR.m, right.base));
  const sigma = await spectrum(core, ctx);
  const [lBar, lBase] = left.norms();
  const [rBar, rBase] = right.norms();
  const scale = lBar * rBar + lBase * rBase;
  const { rank, tolerance } = decideRank(sigma, { m: left.bar.rows, n: right.bar.cols, dtype, scale }, policy);
  return { gap: rank, tolerance };
}

/** Q·K and O·V gaps of every query head of one layer. */
export async function headGaps(
  layer: number, att: LayerAttention, dims: TransformerDims, dtype: string, policy: ToleranceInfo, ctx: AnalysisContext,
): Promise<HeadGapReport[]> {
  const { numHeads: H, numKeyValueHeads: Hkv, headDim: dh } = dims;
  const out: HeadGapReport[] = [];
  const rows = (p: PairedMatrix, head: number): Slice => slice(rowSlice(p.target, head * dh, (head + 1) * dh), rowSlice(p.base, head * dh, (head + 1) * dh));
  const cols = (p: PairedMatrix, head: number): Slice => slice(colSlice(p.target, head * dh, (head + 1) * dh), colSlice(p.base, head * dh, (head + 1) * dh));
  // Scores: left factor W_K^gᵀ (D × dh), right factor W_Q^h (dh × D). Values: W_O^h (D × dh), W_V^g (dh × D).
  const kT = Array.from({ length: Hkv }, (_, g) => {
    const s = rows(att.k, g);
    return slice(transpose(s.bar), transpose(s.base));
  });
  const v = Array.from({ length: Hkv }, (_, g) => rows(att.v, g));
  for (let h = 0; h < H; h++) {
    const g = kvHeadOfQueryHead(h, H, Hkv);
    const qk = await gapRank(kT[g]!, rows(att.q, h), dtype, policy, ctx);
    const ov = await gapRank(cols(att.o, h), v[g]!, dtype, policy, ctx);
    for (const [product, r] of [['qk', qk], ['ov', ov]] as const) {
      const rule = perHeadRequiredRank(r.gap, dims.usesRope);
      out.push({ layer, head: h, kvHead: g, product, gap: r.gap, requiredRank: rule.requiredRank, caveats: rule.caveats ?? [] });
    }
  }
  return out;
}

/**
 * Gathers the q, k, v rows of a fused projection ([rows, D]) from its slices, in row order
 * (GPT-2: one slice per role; GPT-NeoX: one per head and role).
 */
export function splitFused(m: Mat, slices: readonly { role: 'q' | 'k' | 'v'; rows: [number, number] }[]): Record<'q' | 'k' | 'v', Mat> {
  const gather = (role: 'q' | 'k' | 'v'): Mat => {
    const parts = slices.filter((s) => s.role === role);
    const count = parts.reduce((n, s) => n + s.rows[1] - s.rows[0], 0);
    const data = new Float64Array(count * m.cols);
    let at = 0;
    for (const s of parts) {
      data.set(m.data.subarray(s.rows[0] * m.cols, s.rows[1] * m.cols), at);
      at += (s.rows[1] - s.rows[0]) * m.cols;
    }
    return { data, rows: count, cols: m.cols };
  };
  return { q: gather('q'), k: gather('k'), v: gather('v') };
}
