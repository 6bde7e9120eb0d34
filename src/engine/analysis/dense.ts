/**
 * Small dense float64 kernels for the analyses (row-major). Everything here is exact up to float64
 * rounding; the heavy spectra go through src/engine/linalg.
 */

/** Row-major matrix; `data[i * cols + j]` is entry (i, j). */
export interface Mat {
  data: Float64Array | Float32Array;
  rows: number;
  cols: number;
}

/** A float64 view of `m` (copies only when it is float32). */
export function toF64(m: Mat): Mat & { data: Float64Array } {
  return { rows: m.rows, cols: m.cols, data: m.data instanceof Float64Array ? m.data : Float64Array.from(m.data) };
}

/** Aᵀ, shape [cols, rows]. */
export function transpose(a: Mat): Mat & { data: Float64Array } {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) {
    const row = i * a.cols;
    for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[row + j] as number;
  }
  return { data: out, rows: a.cols, cols: a.rows };
}

/**
 * A·B in float64 (i-k-j loop order, cache friendly). Shapes [m, k]·[k, n] → [m, n].
 */
export function matmul64(a: Mat, b: Mat): Mat & { data: Float64Array } {
  if (a.cols !== b.rows) throw new Error(`matmul64: [${a.rows}, ${a.cols}]·[${b.rows}, ${b.cols}] do not fit`);
  const m = a.rows;
  const k = a.cols;
  const n = b.cols;
  const out = new Float64Array(m * n);
  const bd = b.data;
  for (let i = 0; i < m; i++) {
    const orow = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a.data[i * k + p] as number;
      if (aip === 0) continue;
      const brow = p * n;
      for (let j = 0; j < n; j++) out[orow + j] += aip * (bd[brow + j] as number);
    }
  }
  return { data: out, rows: m, cols: n };
}

/** Rows `[from, to)` of `a`, as a copy in float64. */
export function rowSlice(a: Mat, from: number, to: number): Mat & { data: Float64Array } {
  return { data: Float64Array.from(a.data.subarray(from * a.cols, to * a.cols)), rows: to - from, cols: a.cols };
}

/** Columns `[from, to)` of `a`, as a copy in float64. */
export function colSlice(a: Mat, from: number, to: number): Mat & { data: Float64Array } {
  const w = to - from;
  const out = new Float64Array(a.rows * w);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < w; j++) out[i * w + j] = a.data[i * a.cols + from + j] as number;
  return { data: out, rows: a.rows, cols: w };
}

/** [A; B] stacked vertically (same column count), float64. */
export function stackRows(a: Mat, b: Mat): Mat & { data: Float64Array } {
  if (a.cols !== b.cols) throw new Error('stackRows: column counts differ');
  const out = new Float64Array((a.rows + b.rows) * a.cols);
  out.set(a.data, 0);
  out.set(b.data, a.rows * a.cols);
  return { data: out, rows: a.rows + b.rows, cols: a.cols };
}

/** Frobenius norm, summed with scaling so huge or tiny entries cannot overflow or underflow. */
export function frobenius(data: ArrayLike<number>): number {
  let scale = 0;
  let ssq = 1;
  for (let k = 0; k < data.length; k++) {
    const v = Math.abs(data[k] as number);
    if (v === 0) continue;
    if (scale < v) {
      ssq = 1 + ssq * (scale / v) ** 2;
      scale = v;
    } else ssq += (v / scale) ** 2;
  }
  return scale * Math.sqrt(ssq);
}

/** Euclidean norm of a vector. */
export const norm2 = frobenius;

/** Index of the first NaN/±Infinity, or −1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let k = 0; k < data.length; k++) if (!Number.isFinite(data[k] as number)) return k;
  return -1;
}

/**
 * The R factor of a Householder QR of `a` (shape [m, k], m ≥ k): the k×k upper triangle with
 * `AᵀA = RᵀR`, so `σ(A·X) = σ(R·X)` for any X. Float64, O(m·k²). `a` is not modified.
 */
export function qrR(a: Mat): Mat & { data: Float64Array } {
  const { rows: m, cols: k } = a;
  if (m < k) throw new Error(`qrR: needs rows ≥ cols, got [${m}, ${k}]`);
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
export function productCore(left: Mat, right: Mat): Mat & { data: Float64Array } {
  if (left.cols !== right.rows) throw new Error('productCore: inner dimensions differ');
  const k = left.cols;
  if (k > left.rows || k > right.cols) return matmul64(left, right);
  const rl = qrR(left);
  const rr = qrR(transpose(right));
  return matmul64(rl, transpose(rr));
}
