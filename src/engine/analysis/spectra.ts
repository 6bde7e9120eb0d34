/**
 * Spectra and ranks as the analyses use them: singular values through src/engine/linalg, the rank
 * tolerance policy of theory §7 (or the relative setting), and a cheap σ₁ estimate for tolerance scales.
 */
import { type DenseMatrix as Mat, numericalRank, rankTolerance, singularValues, type StorageDtype } from '../linalg';
import type { ToleranceInfo } from '../../protocol';
import { throwIfCancelled, type AnalysisContext } from './context';

/** Storage dtypes the rank tolerance knows; anything else is treated as F32. */
export function storageDtype(dtype: string): StorageDtype {
  return dtype === 'F64' || dtype === 'F16' || dtype === 'BF16' ? dtype : 'F32';
}

/** The default policy: theory §7's dtype-aware tolerance, multiplier 1. */
export const DEFAULT_TOLERANCE: ToleranceInfo = {
  mode: 'dtype',
  value: 1,
  description: 'tol = max(m, n) · ε_dtype · scale (ε = 2⁻²³ F32, 2⁻¹⁰ F16, 2⁻⁷ BF16, 2⁻⁵² F64); scale bounds the operands, per matrix',
};

/** Fills in the description of a user-given tolerance. */
export function describeTolerance(t: ToleranceInfo | undefined): ToleranceInfo {
  if (!t) return DEFAULT_TOLERANCE;
  if (!(t.value >= 0) || !Number.isFinite(t.value)) throw new RangeError(`rank tolerance must be a finite number ≥ 0, got ${t.value}`);
  if (t.mode === 'relative') {
    return { mode: 'relative', value: t.value, description: `tol = ${t.value} · σ₁ of each matrix (relative setting)` };
  }
  return t.value === 1
    ? DEFAULT_TOLERANCE
    : { mode: 'dtype', value: t.value, description: `tol = ${t.value} · max(m, n) · ε_dtype · scale (dtype-aware, theory §7, scaled)` };
}

export interface RankDecision {
  rank: number;
  tolerance: number;
}

/**
 * Numerical rank of a matrix with singular values `sigma` under the policy.
 * @param sigma descending singular values
 * @param shape m, n of the matrix, its storage dtype and `scale` (bound on the operands' magnitude)
 */
export function decideRank(
  sigma: ArrayLike<number>,
  shape: { m: number; n: number; dtype: string; scale: number },
  policy: ToleranceInfo,
): RankDecision {
  if (policy.mode === 'relative') {
    const tolerance = policy.value * ((sigma[0] as number | undefined) ?? 0);
    let rank = 0;
    for (let k = 0; k < sigma.length; k++) if ((sigma[k] as number) > tolerance) rank++;
    return { rank, tolerance };
  }
  const dtype = storageDtype(shape.dtype);
  const scale = shape.scale * policy.value;
  const r = numericalRank(sigma, { m: shape.m, n: shape.n, dtype, scale });
  return { rank: r.rank, tolerance: r.tolerance };
}

/** `rankTolerance` under the policy for a matrix whose σ₁ is `sigma1` (for invertibility checks). */
export function toleranceFor(m: number, n: number, dtype: string, scale: number, sigma1: number, policy: ToleranceInfo): number {
  if (policy.mode === 'relative') return policy.value * sigma1;
  return rankTolerance(m, n, storageDtype(dtype), scale) * policy.value;
}

/**
 * σ(A), descending, via the engine's SVD (float64 for small matrices, the backend for large ones).
 * Yields to the event loop first so a cancellation message can arrive, then checks the signal.
 */
export async function spectrum(a: Mat, ctx: AnalysisContext): Promise<Float64Array> {
  await yieldToEventLoop();
  throwIfCancelled(ctx.signal);
  const backend = await ctx.backend();
  ctx.counters.spectra++;
  return singularValues(a.data, a.rows, a.cols, { backend, signal: ctx.signal });
}

/** Lets pending I/O (cancellation, progress) run between heavy synchronous steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A lower estimate of σ₁(A) = ‖A‖₂ by power iteration on AᵀA (float64), from a fixed start vector.
 * Used only as the `scale` of rank tolerances, where a few per cent do not matter.
 * @param a shape [m, n]
 * @param iterations at most this many (default 30); stops when the estimate moves less than `relTol`
 */
export function spectralNormEstimate(a: Mat, iterations = 30, relTol = 1e-4): number {
  const { rows: m, cols: n, data } = a;
  if (m === 0 || n === 0) return 0;
  let v = new Float64Array(n);
  for (let j = 0; j < n; j++) v[j] = 1 + 0.5 * Math.sin(j + 1);
  normalise(v);
  const u = new Float64Array(m);
  let estimate = 0;
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      const row = i * n;
      for (let j = 0; j < n; j++) s += (data[row + j] as number) * (v[j] as number);
      u[i] = s;
    }
    const next = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      const ui = u[i] as number;
      if (ui === 0) continue;
      const row = i * n;
      for (let j = 0; j < n; j++) next[j] += ui * (data[row + j] as number);
    }
    // ‖Av‖ with ‖v‖ = 1 is a lower bound on σ₁.
    const value = Math.sqrt(u.reduce((s, x) => s + x * x, 0));
    if (!(value > 0)) return 0;
    const converged = Math.abs(value - estimate) <= relTol * value;
    estimate = Math.max(estimate, value);
    if (converged) break;
    normalise(next);
    v = next;
  }
  return estimate;
}

function normalise(v: Float64Array): void {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += (v[j] as number) ** 2;
  const f = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) * f;
}
