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
