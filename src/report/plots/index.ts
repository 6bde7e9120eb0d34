/**
 * Figures shared by the analysis panel (browser DOM) and the HTML report (linkedom in Node): pure
 * functions of numbers and a `document`, each returning the `<svg>` Observable Plot built. Colours are
 * VS Code theme variables with fallbacks, so the same SVG reads well inside and outside VS Code.
 */
export { Plot, type PlotDocument, type PlotSvg } from './observablePlot';
export { colors, formatCompact, svgStyle, themeSvg } from './theme';
export { spectrumPlot, type SpectrumPlotOptions } from './spectrumPlot';
export { errorVsRankPlot, type ErrorCurvePoint, type ErrorVsRankOptions } from './errorVsRankPlot';
export { paramsVsErrorPlot, type ParamsErrorPoint, type ParamsVsErrorOptions } from './paramsVsErrorPlot';
export { partitionPlanFigure, type PartitionPlan, type PartitionPlanOptions } from './partitionPlanFigure';
