/** Inline-hint computation (pure, no `vscode`): config.json, adapter_config.json and Python source. */
export * from './types';
export { computeConfigJsonHints, isHfConfigFileName, looksLikeHfConfig, type ConfigJsonHintOptions } from './configJsonHints';
export { computeAdapterHints, isAdapterConfigFileName, summarizeModules, type AdapterHintOptions, type BaseModelInfo } from './adapterHints';
export { computePythonHints, type PythonHintOptions } from './pythonHints';
export { findTargetDepthDirective, resolveTargetDepth, type TargetDepthDirective, type ResolvedTargetDepth } from './directive';
export { KeyedDebouncer, type TimerApi } from './debounce';
export { baseModelCandidates, type BaseModelCandidate } from './baseModelPath';
export { PatternKeyLookup } from './rankLookup';
export { parseJsonDocument, findProperty, toPlainValue, type JsonNode, type JsonProperty } from './json/jsonDocument';
export { applyTextEdit, setTopLevelObjectProperty } from './json/jsonEdit';
export { panelCommandUri, PANEL_COMMAND } from './markdown';
