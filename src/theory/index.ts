/**
 * The paper's theory as pure functions (Zeng & Lee, "The Expressive Power of Low-Rank Adaptation",
 * ICLR 2024, plus LoRA Lens's extensions to production architectures). No I/O, no tensors, no Node
 * or VS Code APIs: bundled into the extension, the engine, the CLI and the webview alike.
 */
export * from './types';
export * from './caveats';
export { ceilDiv } from './validate';
export * from './partition';
export * from './fnnThreshold';
export * from './optimalPartition';
export * from './perLayerRanks';
export * from './spectralErrors';
export * from './networkBounds';
export * from './nonSingularity';
export * from './transformer';
export * from './perMatrix';
export * from './parameterCounts';
export * from './finalLayerTuning';
export * from './format';
