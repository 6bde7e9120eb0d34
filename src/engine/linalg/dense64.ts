/**
 * Small dense float64 kernels, row-major, exact up to float64 rounding: the explicit construction
 * (training/) and the cheap exact checks of the analyses (analysis/) use them on small matrices
 * (widths of tens to a few hundred). The heavy spectra go through the backend routines of this folder.
 * Inputs may be float32 or float64 ({@link DenseMatrix}); results are always float64 ({@link Mat}).
 */
import type { DenseMatrix } from './types';

/** A row-major float64 matrix of shape [rows, cols]; element (i, j) is `data[i·cols + j]`. */
export interface Mat {
  rows: number;
  cols: number;
  /** Length rows·cols. */
  data: Float64Array;
}

/** All-zero [rows, cols]. */
export function zeros(rows: number, cols: number): Mat {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** The n×n identity. */
export function identity(n: number): Mat {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** A matrix from its rows (all of the same length). */
export function fromRows(rows: readonly (readonly number[])[]): Mat {
  const r = rows.length;
  const c = r === 0 ? 0 : (rows[0] as readonly number[]).length;
  const m = zeros(r, c);
  rows.forEach((row, i) => row.forEach((v, j) => (m.data[i * c + j] = v)));
  return m;
}

/** A float64 copy of `a`. */
export function clone(a: DenseMatrix): Mat {
  return { rows: a.rows, cols: a.cols, data: Float64Array.from(a.data) };
}

/** A float64 view of `m` (copies only when it is float32). */
export function toF64(m: DenseMatrix): Mat {
  return { rows: m.rows, cols: m.cols, data: m.data instanceof Float64Array ? m.data : Float64Array.from(m.data) };
}

/** Aᵀ, shape [cols, rows]. */
export function transpose(a: DenseMatrix): Mat {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) {
    const row = i * a.cols;
    for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[row + j] as number;
  }
  return { data: out, rows: a.cols, cols: a.rows };
}

/** A·B in float64 (i-k-j loop order, cache friendly). Shapes [m, k]·[k, n] → [m, n]. */
export function matmul64(a: DenseMatrix, b: DenseMatrix): Mat {
  if (a.cols !== b.rows) throw new RangeError(`matmul64: [${a.rows}, ${a.cols}]·[${b.rows}, ${b.cols}] do not fit`);
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

/** `M·v` for a vector v of length cols; length rows. */
export function matVec(a: DenseMatrix, v: Float64Array): Float64Array {
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += (a.data[i * a.cols + j] as number) * (v[j] as number);
    out[i] = s;
  }
  return out;
}

function sameShape(a: DenseMatrix, b: DenseMatrix, op: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new RangeError(`${op}: [${a.rows}, ${a.cols}] vs [${b.rows}, ${b.cols}]`);
}

/** A + B (same shape). */
export function add(a: DenseMatrix, b: DenseMatrix): Mat {
  sameShape(a, b, 'add');
  const out = clone(a);
  for (let i = 0; i < out.data.length; i++) out.data[i] += b.data[i] as number;
  return out;
}

/** A − B (same shape). */
export function subtract(a: DenseMatrix, b: DenseMatrix): Mat {
  sameShape(a, b, 'subtract');
  const out = clone(a);
  for (let i = 0; i < out.data.length; i++) out.data[i] -= b.data[i] as number;
  return out;
}

/** Rows `[from, to)` of `a`, as a float64 copy of shape [to − from, cols]. */
export function rowSlice(a: DenseMatrix, from: number, to: number): Mat {
  return { data: Float64Array.from(a.data.subarray(from * a.cols, to * a.cols)), rows: to - from, cols: a.cols };
}

/** Columns `[from, to)` of `a`, as a float64 copy of shape [rows, to − from]. */
export function colSlice(a: DenseMatrix, from: number, to: number): Mat {
  const w = to - from;
  const out = new Float64Array(a.rows * w);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < w; j++) out[i * w + j] = a.data[i * a.cols + from + j] as number;
  return { data: out, rows: a.rows, cols: w };
}

/** [A; B] stacked vertically (same column count), float64. */
export function stackRows(a: DenseMatrix, b: DenseMatrix): Mat {
  if (a.cols !== b.cols) throw new RangeError('stackRows: column counts differ');
  const out = new Float64Array((a.rows + b.rows) * a.cols);
  out.set(a.data, 0);
  out.set(b.data, a.rows * a.cols);
  return { data: out, rows: a.rows + b.rows, cols: a.cols };
}

/** Largest absolute entry (a cheap scale for tolerances). */
export function maxAbs(a: DenseMatrix): number {
  let m = 0;
  for (const v of a.data) m = Math.max(m, Math.abs(v));
  return m;
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
