/**
 * Observable Plot, loaded once for every surface (panel webview, HTML report, tests).
 *
 * Plot is ESM-only. The extension, CLI and tests compile to CommonJS (`module: node16`), where
 * TypeScript refuses a static `import` of an ES module (TS1479) even though Node ≥ 20.19 and every
 * esbuild bundle can `require` it. So: types through a type-only import with
 * `resolution-mode: import`, the value through `require` (esbuild resolves it statically in the
 * browser bundle too).
 */
import type * as ObservablePlot from '@observablehq/plot' with { 'resolution-mode': 'import' };

// Declared locally so the browser-side typecheck (no Node types) accepts it; esbuild bundles it.
declare const require: (id: string) => unknown;

export const Plot = require('@observablehq/plot') as typeof ObservablePlot;

/** The `document` Plot renders into: the browser's, or linkedom's in Node. */
export type PlotDocument = NonNullable<ObservablePlot.PlotOptions['document']>;
/**
 * What every figure function returns: the `<svg>` Plot built (a DOM `SVGSVGElement` in the webview,
 * linkedom's element in Node; Node's typecheck has no DOM types, so there it is opaque).
 */
export type PlotSvg = ReturnType<typeof ObservablePlot.plot>;
export type PlotMark = ObservablePlot.Markish;
