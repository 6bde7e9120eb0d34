/** The analysis panel's pure model (no DOM, no VS Code): rows, budget metrics, sorting, figure data, formatting. */
export * from './rows';
export * from './budget';
export * from './sort';
export * from './figures';
export * from './format';
