/**
 * Singular value decomposition in float64 by one-sided Jacobi rotations (Hestenes). Accurate to a
 * few ulps relative to σ₁ and simple; meant for the small square matrices of the construction
 * (D ≤ 64 or so: cost O(sweeps · n³)). The engine's `linalg/` SVD is for big matrices on the backend.
 */
import { type Mat, transpose, zeros } from './dense';

export interface Svd {
  /** Left singular vectors, shape [m, n]; a column is zero where σ is 0. */
  u: Mat;
  /** Singular values, descending, length n. */
  s: Float64Array;
  /** Right singular vectors, shape [n, n], orthogonal (a full basis even where σ is 0). */
  v: Mat;
}

const MAX_SWEEPS = 80;

/** SVD of `a` ([m, n] with m ≥ n): `a = u · diag(s) · vᵀ`. */
export function jacobiSvd(a: Mat): Svd {
  const m = a.rows;
  const n = a.cols;
  if (m < n) throw new RangeError(`jacobiSvd: needs rows ≥ cols, got [${m}, ${n}]`);
  // Work on columns: store Aᵀ-style column arrays for cache-friendly rotations.
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const c = new Float64Array(m);
    for (let i = 0; i < m; i++) c[i] = a.data[i * n + j];
    cols.push(c);
  }
  const vCols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const c = new Float64Array(n);
    c[j] = 1;
    vCols.push(c);
  }
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const cp = cols[p];
        const cq = cols[q];
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          alpha += cp[i] * cp[i];
          beta += cq[i] * cq[i];
          gamma += cp[i] * cq[i];
        }
        if (gamma === 0 || Math.abs(gamma) <= Number.EPSILON * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(cp, cq, c, s);
        rotate(vCols[p], vCols[q], c, s);
      }
    }
    if (!rotated) break;
  }
  const norms = cols.map((c) => Math.hypot(...c));
  const order = norms.map((_, j) => j).sort((x, y) => norms[y] - norms[x]);
  const u = zeros(m, n);
  const v = zeros(n, n);
  const s = new Float64Array(n);
  order.forEach((j, k) => {
    s[k] = norms[j];
    const inv = norms[j] > 0 ? 1 / norms[j] : 0;
    for (let i = 0; i < m; i++) u.data[i * n + k] = cols[j][i] * inv;
    for (let i = 0; i < n; i++) v.data[i * n + k] = vCols[j][i];
  });
  return { u, s, v };
}

function rotate(x: Float64Array, y: Float64Array, c: number, s: number): void {
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const yi = y[i];
    x[i] = c * xi - s * yi;
    y[i] = s * xi + c * yi;
  }
}

/** Singular values only, descending. */
export function singularValuesF64(a: Mat): Float64Array {
  return jacobiSvd(a.rows >= a.cols ? a : transpose(a)).s;
}

