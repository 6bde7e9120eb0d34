/** Architecture recognition: tensor names and shapes (and an optional config) → modules with roles. */
export { describeCheckpoint, describeConfigOnly, type ArchitectureDescription } from './describe';
export { classifyModuleName, LINEAR_ROLES, ATTENTION_ROLES, type Classification, type KeyFamily } from './roles';
export { groupTensors, numel, type TensorGroup } from './group';
export { detectSequentialMlp, type SequentialMlp } from './sequential';
export { expectedModules, type ExpectedModule } from './templates';
export { inferDims, guessHeadDim } from './infer';
export { contiguousQkvSlices, perHeadQkvSlices, type FusedSlices } from './fused';
