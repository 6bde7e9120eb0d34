/** Numerical rank with a tolerance that respects the storage dtype (theory §7). */
import type { StorageDtype } from './types';

/** Machine epsilon of each storage dtype: 2⁻⁵² F64, 2⁻²³ F32, 2⁻¹⁰ F16, 2⁻⁷ BF16. */
export const DTYPE_EPSILON: Readonly<Record<StorageDtype, number>> = {
  F64: 2 ** -52,
  F32: 2 ** -23,
  F16: 2 ** -10,
  BF16: 2 ** -7,
};

export interface RankToleranceInput {
  m: number;
  n: number;
  dtype: StorageDtype;
  /** Bound on the operands' magnitude (e.g. σ₁(W̄) + σ₁(∏W) for a discrepancy); default σ₁. */
  scale?: number;
}

export interface NumericalRank {
  rank: number;
  /** tol = max(m, n)·ε_dtype·scale; σ_k > tol counts. */
  tolerance: number;
  scale: number;
}

/** tol = max(m, n)·ε_dtype·scale. */
export function rankTolerance(m: number, n: number, dtype: StorageDtype, scale: number): number {
  const eps = DTYPE_EPSILON[dtype];
  if (eps === undefined) throw new Error(`unknown dtype ${String(dtype)}`);
  if (!(scale >= 0) || !Number.isFinite(scale)) throw new Error(`rank tolerance scale must be finite and ≥ 0, got ${scale}`);
  return Math.max(m, n) * eps * scale;
}

/**
 * #{k : σ_k > tol}. A zero matrix (all σ = 0) has rank 0 for every tolerance.
 * @param sigma singular values (any order)
 */
export function numericalRank(sigma: ArrayLike<number>, opts: RankToleranceInput): NumericalRank {
  let sigmaMax = 0;
  for (let k = 0; k < sigma.length; k++) {
    const s = sigma[k] as number;
    if (!(s >= 0) || !Number.isFinite(s)) throw new Error(`singular value ${k} is ${s}: expected finite and ≥ 0`);
    sigmaMax = Math.max(sigmaMax, s);
  }
  const scale = opts.scale ?? sigmaMax;
  const tolerance = rankTolerance(opts.m, opts.n, opts.dtype, scale);
  let rank = 0;
  for (let k = 0; k < sigma.length; k++) if ((sigma[k] as number) > tolerance) rank++;
  return { rank, tolerance, scale };
}
