/** Errors of the best rank-r approximations (Eckart–Young–Mirsky). */

export interface TruncationErrors {
  /** spectral[r] = σ_{r+1} (0 when r ≥ p): the 2-norm error of the best rank-r approximation. */
  spectral: Float64Array;
  /** frobenius[r] = √(Σ_{k>r} σ_k²). */
  frobenius: Float64Array;
}

/**
 * @param sigma singular values, descending, length p
 * @returns both errors for every rank r = 0..p (arrays of length p+1)
 */
export function truncationErrors(sigma: ArrayLike<number>): TruncationErrors {
  const p = sigma.length;
  const spectral = new Float64Array(p + 1);
  const frobenius = new Float64Array(p + 1);
  for (let k = 0; k < p; k++) {
    if (k > 0 && (sigma[k] as number) > (sigma[k - 1] as number)) throw new Error('singular values must be sorted descending');
    spectral[k] = sigma[k] as number;
  }
  // Suffix sums from the smallest value up: adds small terms first.
  let tail = 0;
  for (let r = p - 1; r >= 0; r--) {
    const s = sigma[r] as number;
    tail += s * s;
    frobenius[r] = Math.sqrt(tail);
  }
  return { spectral, frobenius };
}
