/**
 * Singular values of an upper bidiagonal matrix by implicit shifted QR (Golub–Kahan SVD step with a
 * Wilkinson shift, Golub & Van Loan Alg. 8.6.1/8.6.2), values only, float64. About two O(len) sweeps per
 * converged value, so O(n²) in all; backward stable, hence absolute errors of a few ε₆₄·σ₁ (we only need
 * absolute accuracy). Plain sqrt(a²+b²) instead of Math.hypot (several times slower in V8) is safe because
 * the bidiagonal comes from a matrix scaled to max|a| ≈ 1. Returns undefined if the sweep cap is hit, so the caller can fall back to bisection.
 */

/**
 * @param d diagonal (n), e superdiagonal (n−1); copied, not modified
 * @returns σ descending, or undefined when the iteration cap (30·n sweeps) was reached
 */
export function bidiagonalQrSingularValues(dIn: Float64Array, eIn: Float64Array): Float64Array | undefined {
  const n = dIn.length;
  const d = Float64Array.from(dIn);
  const f = Float64Array.from(eIn);
  let bound = 0;
  for (let i = 0; i < n; i++) bound = Math.max(bound, Math.abs(d[i] as number) + (i < n - 1 ? Math.abs(f[i] as number) : 0));
  const thresh = bound * 4 * Number.EPSILON;
  const relTol = 4 * Number.EPSILON;
  const maxSweeps = 30 * n + 100;
  let sweeps = 0;
  let hi = n - 1;
  while (hi > 0) {
    const fh = Math.abs(f[hi - 1] as number);
    if (fh <= thresh || fh <= relTol * (Math.abs(d[hi - 1] as number) + Math.abs(d[hi] as number))) {
      f[hi - 1] = 0;
      hi--;
      continue;
    }
    // Start of the unreduced block [lo, hi].
    let lo = hi - 1;
    while (lo > 0) {
      const fl = Math.abs(f[lo - 1] as number);
      if (fl <= thresh || fl <= relTol * (Math.abs(d[lo - 1] as number) + Math.abs(d[lo] as number))) {
        f[lo - 1] = 0;
        break;
      }
      lo--;
    }
    if (++sweeps > maxSweeps) return undefined;
    // A (numerically) zero diagonal entry: rotate its row (or the last column) out, which splits the block.
    let zero = -1;
    for (let k = lo; k <= hi; k++) {
      if (Math.abs(d[k] as number) <= thresh) {
        zero = k;
        break;
      }
    }
    if (zero >= 0) {
      d[zero] = 0;
      if (zero < hi) chaseRowRight(d, f, zero, hi);
      else chaseColumnUp(d, f, lo, hi);
      continue;
    }
    qrSweep(d, f, lo, hi);
  }
  const sigma = new Float64Array(n);
  for (let i = 0; i < n; i++) sigma[i] = Math.abs(d[i] as number);
  return sigma.sort().reverse();
}

/** d[k] = 0 with k < hi: left rotations with rows k+1..hi zero row k (f[k], then the bulge). */
function chaseRowRight(d: Float64Array, f: Float64Array, k: number, hi: number): void {
  let bulge = f[k] as number;
  f[k] = 0;
  for (let j = k + 1; j <= hi && bulge !== 0; j++) {
    const dj = d[j] as number;
    const r = Math.sqrt(dj * dj + bulge * bulge);
    const c = dj / r;
    const s = bulge / r;
    d[j] = r;
    if (j < hi) {
      bulge = -s * (f[j] as number);
      f[j] = c * (f[j] as number);
    }
  }
}

/** d[hi] = 0: right rotations with columns hi−1..lo zero column hi (f[hi−1], then the bulge). */
function chaseColumnUp(d: Float64Array, f: Float64Array, lo: number, hi: number): void {
  let bulge = f[hi - 1] as number;
  f[hi - 1] = 0;
  for (let j = hi - 1; j >= lo && bulge !== 0; j--) {
    const dj = d[j] as number;
    const r = Math.sqrt(dj * dj + bulge * bulge);
    const c = dj / r;
    const s = bulge / r;
    d[j] = r;
    if (j > lo) {
      bulge = -s * (f[j - 1] as number);
      f[j - 1] = c * (f[j - 1] as number);
    }
  }
}

/** One implicit QR sweep on the unreduced block [lo, hi] (all d, f nonzero) with a Wilkinson shift. */
function qrSweep(d: Float64Array, f: Float64Array, lo: number, hi: number): void {
  // Shift: eigenvalue of the trailing 2×2 of BᵀB closer to its last diagonal entry.
  const dm = d[hi - 1] as number;
  const dn = d[hi] as number;
  const fm = f[hi - 1] as number;
  const fp = hi - 1 > lo ? (f[hi - 2] as number) : 0;
  const t11 = dm * dm + fp * fp;
  const t12 = dm * fm;
  const t22 = dn * dn + fm * fm;
  const delta = 0.5 * (t11 - t22);
  const root = Math.sqrt(delta * delta + t12 * t12);
  const mu = t22 - (t12 * t12) / (delta + (delta >= 0 ? root : -root) || 1e-300);

  let y = (d[lo] as number) * (d[lo] as number) - mu;
  let z = (d[lo] as number) * (f[lo] as number);
  for (let k = lo; k < hi; k++) {
    // Right rotation on columns k, k+1: [y z] → [r 0].
    let r = Math.sqrt(y * y + z * z);
    let c = r === 0 ? 1 : y / r;
    let s = r === 0 ? 0 : z / r;
    if (k > lo) f[k - 1] = r;
    const dk = c * (d[k] as number) + s * (f[k] as number);
    const fk = -s * (d[k] as number) + c * (f[k] as number);
    const bulge = s * (d[k + 1] as number);
    const dk1 = c * (d[k + 1] as number);
    // Left rotation on rows k, k+1 zeroes the bulge below the diagonal.
    r = Math.sqrt(dk * dk + bulge * bulge);
    c = r === 0 ? 1 : dk / r;
    s = r === 0 ? 0 : bulge / r;
    d[k] = r;
    f[k] = c * fk + s * dk1;
    d[k + 1] = -s * fk + c * dk1;
    if (k < hi - 1) {
      y = f[k] as number;
      z = s * (f[k + 1] as number);
      f[k + 1] = c * (f[k + 1] as number);
    }
  }
}
