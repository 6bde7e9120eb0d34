/** Householder R factors in float64, to get the singular values of a thin product without forming it. */
import { frobenius, matmul64, type Mat, transpose } from './dense64';
import type { DenseMatrix } from './types';

/**
 * The R factor of a Householder QR of `a` (shape [m, k], m ≥ k): the k×k upper triangle with
 * `AᵀA = RᵀR`, so `σ(A·X) = σ(R·X)` for any X. Float64, O(m·k²). `a` is not modified.
 */
export function qrR(a: DenseMatrix): Mat {
  const { rows: m, cols: k } = a;
  if (m < k) throw new RangeError(`qrR: needs rows ≥ cols, got [${m}, ${k}]`);
  // Work column-major: column j is w[j*m … j*m+m).
  const w = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) w[j * m + i] = a.data[i * k + j] as number;
  for (let j = 0; j < k; j++) {
    const cj = j * m;
    const alpha = frobenius(w.subarray(cj + j, cj + m));
    if (alpha === 0) continue;
    const x0 = w[cj + j] as number;
    const beta = x0 >= 0 ? -alpha : alpha;
    // v = x − βe₁, stored in place; H = I − 2vvᵀ/(vᵀv).
    w[cj + j] = x0 - beta;
    let vtv = 0;
    for (let i = j; i < m; i++) vtv += (w[cj + i] as number) ** 2;
    for (let c = j + 1; c < k; c++) {
      const cc = c * m;
      let dot = 0;
      for (let i = j; i < m; i++) dot += (w[cj + i] as number) * (w[cc + i] as number);
      const f = (2 * dot) / vtv;
      for (let i = j; i < m; i++) w[cc + i] -= f * (w[cj + i] as number);
    }
    w[cj + j] = beta;
    for (let i = j + 1; i < m; i++) w[cj + i] = 0;
  }
  const r = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) r[i * k + j] = w[j * m + i] as number;
  return { data: r, rows: k, cols: k };
}

/**
 * A small square matrix whose singular values equal those of `left · right` (left [m, k],
 * right [k, n]), without forming the m×n product: with `left = Q_L R_L` and `rightᵀ = Q_R R_R`,
 * `left·right = Q_L (R_L R_Rᵀ) Q_Rᵀ`. When k exceeds m or n the product itself is returned.
 * @returns shape [k, k] (or the explicit product when k > min(m, n))
 */
export function productCore(left: DenseMatrix, right: DenseMatrix): Mat {
  if (left.cols !== right.rows) throw new RangeError('productCore: inner dimensions differ');
  const k = left.cols;
  if (k > left.rows || k > right.cols) return matmul64(left, right);
  const rl = qrR(left);
  const rr = qrR(transpose(right));
  return matmul64(rl, transpose(rr));
}
