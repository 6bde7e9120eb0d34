/**
 * Thin SVD with singular vectors in float64 by one-sided Jacobi rotations (Hestenes). Accurate to a
 * few ε₆₄·σ₁ and simple; cost O(sweeps·m·n²), so only for small matrices: the explicit construction
 * (training/, D ≤ 64 or so) and the best rank-r approximations LR_r(E_i) of the non-singularity check
 * (analysis/). The backend routines of this folder give singular values only, for big matrices.
 */
import { type Mat, transpose, zeros } from './dense64';
import type { DenseMatrix } from './types';

/** `a = u · diag(s) · vᵀ` for a of shape [m, n], m ≥ n. */
export interface Svd {
  /** Left singular vectors, shape [m, n]; a column is zero where σ is 0. */
  u: Mat;
  /** Singular values, descending, length n. */
  s: Float64Array;
  /** Right singular vectors, shape [n, n], orthogonal (a full basis even where σ is 0). */
  v: Mat;
}

/** Default sweep cap; convergence is quadratic, so well-conditioned small inputs need ~10. */
export const JACOBI_MAX_SWEEPS = 80;

/**
 * Thin SVD of `a` ([m, n], m ≥ n required: transpose first otherwise). `a` is not modified.
 * @param maxSweeps cap on the rotation sweeps (stops early once no pair needs a rotation)
 * @param check called before each sweep; throw from it to cancel
 */
export function jacobiSvd(a: DenseMatrix, maxSweeps = JACOBI_MAX_SWEEPS, check?: () => void): Svd {
  const { rows: m, cols: n } = a;
  if (m < n) throw new RangeError(`jacobiSvd: needs rows ≥ cols, got [${m}, ${n}]`);
  // Column-major copies: g holds the columns of A·V, vv the columns of V.
  const g = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) g[j * m + i] = a.data[i * n + j] as number;
  const vv = new Float64Array(n * n);
  for (let j = 0; j < n; j++) vv[j * n + j] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    check?.();
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const cp = p * m;
        const cq = q * m;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = g[cp + i] as number;
          const y = g[cq + i] as number;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= Number.EPSILON * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(g, cp, cq, m, c, s);
        rotate(vv, p * n, q * n, n, c, s);
      }
    }
    if (!rotated) break;
  }
  const norms = Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += (g[j * m + i] as number) ** 2;
    return Math.sqrt(s);
  });
  const order = norms.map((_, j) => j).sort((x, y) => (norms[y] as number) - (norms[x] as number));
  const u = zeros(m, n);
  const v = zeros(n, n);
  const s = new Float64Array(n);
  order.forEach((j, k) => {
    const sj = norms[j] as number;
    s[k] = sj;
    for (let i = 0; i < m; i++) u.data[i * n + k] = sj > 0 ? (g[j * m + i] as number) / sj : 0;
    for (let i = 0; i < n; i++) v.data[i * n + k] = vv[j * n + i] as number;
  });
  return { u, s, v };
}

/** Applies the plane rotation [c −s; s c] to the length-`len` columns at offsets `p` and `q` of `w`. */
function rotate(w: Float64Array, p: number, q: number, len: number, c: number, s: number): void {
  for (let i = 0; i < len; i++) {
    const x = w[p + i] as number;
    const y = w[q + i] as number;
    w[p + i] = c * x - s * y;
    w[q + i] = s * x + c * y;
  }
}

/** Singular values only, descending, length min(rows, cols). */
export function singularValuesF64(a: DenseMatrix): Float64Array {
  return jacobiSvd(a.rows >= a.cols ? a : transpose(a)).s;
}

/** LR_r(A) = Σ_{k<r} σ_k u_k v_kᵀ from a thin SVD. @returns [m, n] row-major float64 */
export function lowRankApproximation(svd: Svd, r: number): Float64Array {
  const { u, s, v } = svd;
  const m = u.rows;
  const p = u.cols;
  const n = v.rows;
  const out = new Float64Array(m * n);
  for (let k = 0; k < Math.min(r, p); k++) {
    const sk = s[k] as number;
    if (sk === 0) continue;
    for (let i = 0; i < m; i++) {
      const f = sk * (u.data[i * p + k] as number);
      if (f === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += f * (v.data[j * p + k] as number);
    }
  }
  return out;
}
