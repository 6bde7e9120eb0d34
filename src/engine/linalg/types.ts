/** Shared types of the engine's linear algebra. Matrices are dense, row-major. */
import type { TensorBackend } from '../backend/types';

/** A dense row-major matrix: element (i, j) is `data[i * cols + j]`. */
export interface DenseMatrix {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

/** How the weights were stored; sets the machine epsilon of the rank tolerance. */
export type StorageDtype = 'F64' | 'F32' | 'F16' | 'BF16';

/** What every heavy routine needs: the backend, and optionally progress and cancellation. */
export interface LinalgContext {
  backend: TensorBackend;
  /** Called with the fraction done (0..1) between blocks. */
  onProgress?: (fraction: number) => void;
  /** Checked between blocks; an aborted signal stops the work with {@link LinalgCancelledError}. */
  signal?: AbortSignal;
  /**
   * Tuning (tests use small values to exercise the blocked path on small matrices):
   * `blockSize` = panel width of the blocked bidiagonalization (default 32); the last `crossover`
   * (default 96) columns, and matrices whose smaller side is at most that, are reduced in float64
   * TypeScript; so are matrices with rows·cols² ≤ `float64WorkLimit` (default 160³, where the backend's
   * per-call overhead outweighs its speed).
   */
  blockSize?: number;
  crossover?: number;
  float64WorkLimit?: number;
  /** When given, milliseconds spent per phase are added to it (for benchmarks and tuning). */
  timings?: Record<string, number>;
}

/** The input held NaN or ±Infinity; the caller reports it for the module it came from. */
export class NonFiniteMatrixError extends Error {
  constructor(
    readonly row: number,
    readonly col: number,
    readonly value: number,
  ) {
    super(`matrix holds a non-finite value (${value}) at row ${row}, column ${col}`);
    this.name = 'NonFiniteMatrixError';
  }
}

/** Shapes that do not fit (length ≠ rows·cols, incompatible product). */
export class MatrixShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MatrixShapeError';
  }
}

export class LinalgCancelledError extends Error {
  constructor() {
    super('linear algebra cancelled');
    this.name = 'LinalgCancelledError';
  }
}
