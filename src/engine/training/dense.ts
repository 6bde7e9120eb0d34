/**
 * Float64 dense matrices for the construction (small widths, e.g. D ≤ 64): products, transposes
 * and linear solves by Gaussian elimination with partial pivoting. Row-major storage.
 */

/** A row-major float64 matrix of shape [rows, cols]. */
export interface Mat {
  rows: number;
  cols: number;
  /** Length rows·cols; element (i, j) at `i·cols + j`. */
  data: Float64Array;
}

export function zeros(rows: number, cols: number): Mat {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function identity(n: number): Mat {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

export function fromRows(rows: readonly (readonly number[])[]): Mat {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const m = zeros(r, c);
  rows.forEach((row, i) => row.forEach((v, j) => (m.data[i * c + j] = v)));
  return m;
}

export function clone(a: Mat): Mat {
  return { rows: a.rows, cols: a.cols, data: a.data.slice() };
}

/** `A·B`, shapes [m, k]·[k, n] → [m, n]. */
export function matmul(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows) throw new RangeError(`matmul: [${a.rows}, ${a.cols}]·[${b.rows}, ${b.cols}]`);
  const out = zeros(a.rows, b.cols);
  const n = b.cols;
  for (let i = 0; i < a.rows; i++) {
    for (let p = 0; p < a.cols; p++) {
      const aip = a.data[i * a.cols + p];
      if (aip === 0) continue;
      const bRow = p * n;
      const oRow = i * n;
      for (let j = 0; j < n; j++) out.data[oRow + j] += aip * b.data[bRow + j];
    }
  }
  return out;
}

export function transpose(a: Mat): Mat {
  const out = zeros(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j];
  return out;
}

function sameShape(a: Mat, b: Mat, op: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new RangeError(`${op}: [${a.rows}, ${a.cols}] vs [${b.rows}, ${b.cols}]`);
}

export function add(a: Mat, b: Mat): Mat {
  sameShape(a, b, 'add');
  const out = clone(a);
  for (let i = 0; i < out.data.length; i++) out.data[i] += b.data[i];
  return out;
}

export function subtract(a: Mat, b: Mat): Mat {
  sameShape(a, b, 'subtract');
  const out = clone(a);
  for (let i = 0; i < out.data.length; i++) out.data[i] -= b.data[i];
  return out;
}

/** Columns `from..to−1` of `a`, shape [rows, to − from]. */
export function columns(a: Mat, from: number, to: number): Mat {
  const out = zeros(a.rows, to - from);
  for (let i = 0; i < a.rows; i++) for (let j = from; j < to; j++) out.data[i * out.cols + (j - from)] = a.data[i * a.cols + j];
  return out;
}

/** `M·v` for a vector v of length cols. */
export function matVec(a: Mat, v: Float64Array): Float64Array {
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += a.data[i * a.cols + j] * v[j];
    out[i] = s;
  }
  return out;
}

/** Largest absolute entry (a cheap scale for tolerances). */
export function maxAbs(a: Mat): number {
  let m = 0;
  for (const v of a.data) m = Math.max(m, Math.abs(v));
  return m;
}

/** A square system the construction must invert is numerically singular (theory §2's hypothesis fails). */
export class SingularMatrixError extends Error {
  constructor(
    readonly what: string,
    readonly pivot: number,
  ) {
    super(`${what} is singular to working precision (pivot ${pivot.toExponential(2)}): the non-singularity hypothesis is not met`);
    this.name = 'SingularMatrixError';
  }
}

/**
 * Solves `A·X = B` (A square [n, n], B [n, k]) by Gaussian elimination with partial pivoting.
 * @param what names A in the error when it is singular (pivot below n·ε·max|A|)
 */
export function solve(a: Mat, b: Mat, what: string): Mat {
  const n = a.rows;
  if (a.cols !== n || b.rows !== n) throw new RangeError(`solve: A [${a.rows}, ${a.cols}], B [${b.rows}, ${b.cols}]`);
  const lu = a.data.slice();
  const x = b.data.slice();
  const k = b.cols;
  const tiny = n * Number.EPSILON * Math.max(maxAbs(a), Number.MIN_VALUE);
  for (let col = 0; col < n; col++) {
    let pivotRow = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(lu[r * n + col]) > Math.abs(lu[pivotRow * n + col])) pivotRow = r;
    const pivot = lu[pivotRow * n + col];
    if (!(Math.abs(pivot) > tiny)) throw new SingularMatrixError(what, Math.abs(pivot));
    if (pivotRow !== col) {
      for (let j = 0; j < n; j++) [lu[col * n + j], lu[pivotRow * n + j]] = [lu[pivotRow * n + j], lu[col * n + j]];
      for (let j = 0; j < k; j++) [x[col * k + j], x[pivotRow * k + j]] = [x[pivotRow * k + j], x[col * k + j]];
    }
    for (let r = col + 1; r < n; r++) {
      const f = lu[r * n + col] / pivot;
      if (f === 0) continue;
      for (let j = col; j < n; j++) lu[r * n + j] -= f * lu[col * n + j];
      for (let j = 0; j < k; j++) x[r * k + j] -= f * x[col * k + j];
    }
  }
  for (let row = n - 1; row >= 0; row--) {
    for (let j = 0; j < k; j++) {
      let s = x[row * k + j];
      for (let c = row + 1; c < n; c++) s -= lu[row * n + c] * x[c * k + j];
      x[row * k + j] = s / lu[row * n + row];
    }
  }
  return { rows: n, cols: k, data: x };
}
