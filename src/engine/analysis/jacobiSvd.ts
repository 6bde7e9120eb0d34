/**
 * One-sided Jacobi SVD (Hestenes) in float64, with singular vectors. Only for the small matrices
 * whose best rank-r approximations the non-singularity check needs (LR_r(E_i), D×D); the engine's
 * linalg gives singular values only. Accurate to a few ε₆₄·σ₁; O(sweeps·m·n²).
 */
import type { Mat } from './dense';

export interface Svd {
  /** Shape [m, p] column j = u_j, row-major. */
  u: Float64Array;
  s: Float64Array;
  /** Shape [n, p] column j = v_j, row-major. */
  v: Float64Array;
  m: number;
  n: number;
  p: number;
}

/** Thin SVD of `a` (m ≥ n required; transpose first otherwise). `a` is not modified. */
export function jacobiSvd(a: Mat, maxSweeps = 60, check?: () => void): Svd {
  const { rows: m, cols: n } = a;
  if (m < n) throw new Error('jacobiSvd: needs rows ≥ cols');
  // Column-major copies: g holds the columns of A·V, vv the columns of V.
  const g = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) g[j * m + i] = a.data[i * n + j] as number;
  const vv = new Float64Array(n * n);
  for (let j = 0; j < n; j++) vv[j * n + j] = 1;
  const eps = 2 ** -52;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    check?.();
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const cp = p * m;
      for (let q = p + 1; q < n; q++) {
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
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = g[cp + i] as number;
          const y = g[cq + i] as number;
          g[cp + i] = c * x - s * y;
          g[cq + i] = s * x + c * y;
        }
        const vp = p * n;
        const vq = q * n;
        for (let i = 0; i < n; i++) {
          const x = vv[vp + i] as number;
          const y = vv[vq + i] as number;
          vv[vp + i] = c * x - s * y;
          vv[vq + i] = s * x + c * y;
        }
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
  const u = new Float64Array(m * n);
  const v = new Float64Array(n * n);
  const s = new Float64Array(n);
  order.forEach((j, k) => {
    const sj = norms[j] as number;
    s[k] = sj;
    for (let i = 0; i < m; i++) u[i * n + k] = sj > 0 ? (g[j * m + i] as number) / sj : 0;
    for (let i = 0; i < n; i++) v[i * n + k] = vv[j * n + i] as number;
  });
  return { u, s, v, m, n, p: n };
}

/** LR_r(A) = Σ_{k<r} σ_k u_k v_kᵀ from a thin SVD. @returns [m, n] row-major float64 */
export function lowRankApproximation(svd: Svd, r: number): Float64Array {
  const { m, n, p, u, s, v } = svd;
  const out = new Float64Array(m * n);
  for (let k = 0; k < Math.min(r, p); k++) {
    const sk = s[k] as number;
    if (sk === 0) continue;
    for (let i = 0; i < m; i++) {
      const f = sk * (u[i * p + k] as number);
      if (f === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += f * (v[j * p + k] as number);
    }
  }
  return out;
}
