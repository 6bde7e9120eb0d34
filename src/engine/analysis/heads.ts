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
import { colSlice, productCore, rowSlice, stackRows, transpose, type Mat } from './dense';
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

function difference(a: Mat, b: Mat): Mat & { data: Float64Array } {
  const out = new Float64Array(a.data.length);
  for (let k = 0; k < out.length; k++) out[k] = (a.data[k] as number) - (b.data[k] as number);
  return { data: out, rows: a.rows, cols: a.cols };
}

/**
 * Rank of `leftBar·rightBar − left·right` (D×D products of D×k and k×D factors), computed as
 * `[leftBar, ΔL] · [ΔR; right]`. Tolerance scale: ‖leftBar‖₂‖rightBar‖₂ + ‖left‖₂‖right‖₂ (estimates).
 */
async function gapRank(
  leftBar: Mat, left: Mat, rightBar: Mat, right: Mat, dtype: string, policy: ToleranceInfo, ctx: AnalysisContext,
): Promise<{ gap: number; tolerance: number }> {
  const dL = difference(leftBar, left);
  const dR = difference(rightBar, right);
  const L = transpose(stackRows(transpose(leftBar), transpose(dL))); // [leftBar, ΔL], D × 2k
  const R = stackRows(dR, right); // [ΔR; right], 2k × D
  const core = productCore(L, R);
  const sigma = await spectrum(core, ctx);
  const scale =
    spectralNormEstimate(leftBar) * spectralNormEstimate(rightBar) + spectralNormEstimate(left) * spectralNormEstimate(right);
  const { rank, tolerance } = decideRank(sigma, { m: L.rows, n: R.cols, dtype, scale }, policy);
  return { gap: rank, tolerance };
}

/** Q·K and O·V gaps of every query head of one layer. */
export async function headGaps(
  layer: number, att: LayerAttention, dims: TransformerDims, dtype: string, policy: ToleranceInfo, ctx: AnalysisContext,
): Promise<HeadGapReport[]> {
  const { numHeads: H, numKeyValueHeads: Hkv, headDim: dh } = dims;
  const out: HeadGapReport[] = [];
  const rows = (m: Mat, head: number): Mat => rowSlice(m, head * dh, (head + 1) * dh);
  const cols = (m: Mat, head: number): Mat => colSlice(m, head * dh, (head + 1) * dh);
  for (let h = 0; h < H; h++) {
    const g = kvHeadOfQueryHead(h, H, Hkv);
    const qBar = rows(att.q.target, h);
    const q = rows(att.q.base, h);
    const kBar = rows(att.k.target, g);
    const k = rows(att.k.base, g);
    // Scores: W_K^gᵀ W_Q^h, left factor W_K^gᵀ (D × dh), right factor W_Q^h (dh × D).
    const qk = sameData(qBar, q) && sameData(kBar, k)
      ? { gap: 0, tolerance: 0 }
      : await gapRank(transpose(kBar), transpose(k), qBar, q, dtype, policy, ctx);
    const oBar = cols(att.o.target, h);
    const o = cols(att.o.base, h);
    const vBar = rows(att.v.target, g);
    const v = rows(att.v.base, g);
    const ov = sameData(oBar, o) && sameData(vBar, v)
      ? { gap: 0, tolerance: 0 }
      : await gapRank(oBar, o, vBar, v, dtype, policy, ctx);
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
