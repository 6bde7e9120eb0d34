/**
 * Validation by training (issue 6): the paper's explicit FNN construction in float64, LoRA fitted by
 * Adam with tfjs autodiff, final-layer tuning, the synthetic sweep and a PEFT export.
 * Engine entry point: {@link runValidation}.
 */
export { buildConstruction, type BiasMode, type ConstructionBlock, type ConstructionOptions, type ConstructionResult, type LayerAdapter } from './construction';
// The float64 dense helpers and Jacobi SVD live in linalg/; re-exported under their former names here.
export { jacobiSvd, type Mat, SingularMatrixError, singularValuesF64, type Svd } from '../linalg';
export { type Fnn, type FnnLayer, forwardFnn, gaussianInputs, meanSquaredError, randomFnn } from './fnn';
export { fitByGradient, fitGroupByGradient, type FitMethod, type FitOptions, type FitResult, type FitRunSpec, type GroupFitOptions } from './gradientFit';
export { exportPeftAdapter, fnnModuleName, type PeftExportOptions } from './peftExport';
export { deriveSeed, SeededRandom } from './random';
export { renderValidationTable } from './renderValidation';
export {
  checkValidationRequest,
  median,
  rankWithNearestParameters,
  runValidation,
  syntheticSweepRequests,
  VALIDATION_LIMITS,
  validationRequest,
  type ValidationProgress,
  type ValidationRunOptions,
} from './validation';
