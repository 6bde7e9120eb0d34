/** The model-file readers: one import for everything downstream. */
export * from './types';
export {
  readHfConfig, parseHfConfig, hfConfigFromObject, SUPPORTED_MODEL_TYPES,
  type HfConfig, type SupportedModelType, type NamingFamily,
} from './config';
export { loadModel, resolveModelFiles, type ModelFiles } from './loadModel';
export {
  loadAdapter, parseAdapterConfig, pairAdapterTensors, checkAdapterAgainstModel,
  matchPatternKey, rankForModule, alphaForModule, loraScale, isTargetModule,
  ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, type AdapterConfigFields,
} from './adapter';
export {
  describeCheckpoint, describeConfigOnly, classifyModuleName, detectSequentialMlp, expectedModules,
  type ArchitectureDescription, type Classification, type SequentialMlp, type ExpectedModule,
} from './architecture';
export { readCheckpointHeader, readTensor, writeSafetensors, isSafetensorsPath, type TensorToWrite } from './safetensors';
