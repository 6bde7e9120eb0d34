export { singularValues } from './singularValues';
export { numericalRank, rankTolerance, DTYPE_EPSILON, type NumericalRank, type RankToleranceInput } from './numericalRank';
export { truncationErrors, type TruncationErrors } from './truncationErrors';
export { matmul, blockProduct } from './matmul';
export {
  LinalgCancelledError,
  MatrixShapeError,
  NonFiniteMatrixError,
  type DenseMatrix,
  type LinalgContext,
  type StorageDtype,
} from './types';
export {
  add,
  clone,
  colSlice,
  firstNonFinite,
  frobenius,
  fromRows,
  identity,
  matmul64,
  matVec,
  maxAbs,
  norm2,
  rowSlice,
  stackRows,
  subtract,
  toF64,
  transpose,
  zeros,
  type Mat,
} from './dense64';
export { productCore, qrR } from './dense64Qr';
export { SingularMatrixError, solve } from './dense64Solve';
export { JACOBI_MAX_SWEEPS, jacobiSvd, lowRankApproximation, singularValuesF64, type Svd } from './jacobiSvd';
