/** Square linear solves in float64 by Gaussian elimination with partial pivoting (small systems). */
import { maxAbs, type Mat } from './dense64';
import type { DenseMatrix } from './types';

/** A square system that must be inverted is numerically singular (theory §2's hypothesis fails). */
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
 * Solves `A·X = B` (A square [n, n], B [n, k]) → X [n, k].
 * @param what names A in the {@link SingularMatrixError} when it is singular (pivot below n·ε·max|A|)
 */
export function solve(a: DenseMatrix, b: DenseMatrix, what: string): Mat {
  const n = a.rows;
  if (a.cols !== n || b.rows !== n) throw new RangeError(`solve: A [${a.rows}, ${a.cols}], B [${b.rows}, ${b.cols}]`);
  const lu = Float64Array.from(a.data);
  const x = Float64Array.from(b.data);
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
