/** Input checks shared by the linear-algebra entry points. */
import { LinalgCancelledError, MatrixShapeError, NonFiniteMatrixError, type LinalgContext } from './types';

/** Throws unless `rows`, `cols` are non-negative integers and `data.length === rows·cols`. */
export function checkShape(data: ArrayLike<number>, rows: number, cols: number, what = 'matrix'): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new MatrixShapeError(`${what}: shape ${rows}×${cols} is not a pair of non-negative integers`);
  }
  if (data.length !== rows * cols) {
    throw new MatrixShapeError(`${what}: ${data.length} values do not fill a ${rows}×${cols} matrix`);
  }
}

/**
 * Throws {@link NonFiniteMatrixError} for the first NaN/±Infinity; returns max |a_ij| otherwise.
 * @param data row-major `rows × cols`
 */
export function maxAbsFinite(data: ArrayLike<number>, cols: number): number {
  let max = 0;
  for (let k = 0; k < data.length; k++) {
    const v = data[k] as number;
    const a = Math.abs(v);
    // `a > max` is false for NaN, so test finiteness only on the rare slow path.
    if (!(a <= max)) {
      if (!Number.isFinite(v)) throw new NonFiniteMatrixError(Math.floor(k / cols), k % cols, v);
      max = a;
    }
  }
  return max;
}

/** Throws if the context's backend is no longer the active tfjs backend (another was activated since). */
export function checkActiveBackend(ctx: LinalgContext): void {
  const active = ctx.backend.tf.getBackend();
  if (active !== ctx.backend.engineName) {
    throw new Error(`linalg context expects the ${ctx.backend.engineName} backend but ${String(active)} is active`);
  }
}

export function checkCancelled(ctx: LinalgContext): void {
  if (ctx.signal?.aborted === true) throw new LinalgCancelledError();
}
