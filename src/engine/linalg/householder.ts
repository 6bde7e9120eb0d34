/** Householder reflectors in float64 (LAPACK dlarfg conventions). */

/**
 * Makes H = I − τ·v·vᵀ with v = (1, x') such that H·(α, x) = (β, 0). Overwrites `x[from..to)` (the part
 * below/right of α) with x' = x / (α − β). Returns `{ beta, tau }`; τ = 0 (H = I) when x is already zero.
 * Inputs here stem from float32 data scaled to max|a| ≈ 1, so plain sums of squares cannot under/overflow.
 */
export function makeReflector(alpha: number, x: Float64Array, from: number, to: number, stride = 1): { beta: number; tau: number } {
  let ss = 0;
  for (let k = from; k < to; k += stride) {
    const v = x[k] as number;
    ss += v * v;
  }
  if (ss === 0) return { beta: alpha, tau: 0 };
  const norm = Math.sqrt(alpha * alpha + ss);
  const beta = alpha >= 0 ? -norm : norm;
  const tau = (beta - alpha) / beta;
  const scale = 1 / (alpha - beta);
  for (let k = from; k < to; k += stride) x[k] = (x[k] as number) * scale;
  return { beta, tau };
}
