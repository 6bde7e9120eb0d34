/**
 * Trainable parameters against the error they leave: either every module at one rank budget, or one
 * module across ranks (a Pareto-like frontier: further right costs more, lower is better).
 */
import { Plot, type PlotDocument, type PlotMark, type PlotSvg } from './observablePlot';
import { chart } from './chart';
import { colors, formatCompact } from './theme';

export interface ParamsErrorPoint {
  /** Module name, or "r = 4" across ranks; shown in the tooltip. */
  label: string;
  /** LoRA parameters r·(in + out). */
  parameters: number;
  /** Error left at that rank (relative or absolute; the caller says which in `yLabel`). */
  error: number;
  /** Drawn larger, in the budget colour (the selected module, or the budget rank). */
  highlight?: boolean;
  /** A full update of this matrix would cost fewer parameters. */
  fullUpdateCheaper?: boolean;
}

export interface ParamsVsErrorOptions {
  xLabel?: string;
  yLabel?: string;
  /** Join the points in order (one module across ranks). */
  connect?: boolean;
  /** Parameters of a full update: drawn as a vertical rule (one module across ranks). */
  fullUpdateParameters?: number;
  /** 'auto' (default): log x when the positive parameter counts span more than 50×. */
  xScale?: 'auto' | 'linear' | 'log';
  title?: string;
  width?: number;
  height?: number;
}

const MAX_DOTS = 400;

/**
 * @param points shape [n]
 * @returns an `<svg>`; marks carry classes (prefixed `ll-`) `points`, `highlight`, `frontier`, `full-update`
 */
export function paramsVsErrorPlot(points: readonly ParamsErrorPoint[], opts: ParamsVsErrorOptions, document: PlotDocument): PlotSvg {
  const positive = points.filter((p) => p.parameters > 0).map((p) => p.parameters);
  const spread = positive.length > 0 ? Math.max(...positive) / Math.min(...positive) : 1;
  const scale = opts.xScale === undefined || opts.xScale === 'auto' ? (spread > 50 ? 'log' : 'linear') : opts.xScale;
  // A log axis cannot place 0 parameters (rank 0): those points are left out there.
  const shown = scale === 'log' ? points.filter((p) => p.parameters > 0) : [...points];
  const title = (p: ParamsErrorPoint) =>
    `${p.label}\n${p.parameters.toLocaleString('en-US')} parameters, error ${p.error.toPrecision(4)}${p.fullUpdateCheaper ? '\n(full update is cheaper)' : ''}`;
  const marks: PlotMark[] = [Plot.gridY({ stroke: 'currentColor', strokeOpacity: 0.1, className: 'll-grid' })];
  if (opts.connect) {
    marks.push(Plot.line(shown, { x: 'parameters', y: 'error', stroke: colors.primary, strokeWidth: 1.5, className: 'll-frontier' }));
  }
  if (opts.fullUpdateParameters !== undefined) {
    const full = opts.fullUpdateParameters;
    marks.push(
      Plot.ruleX([full], { stroke: colors.threshold, strokeDasharray: '5,3', className: 'll-full-update' }),
      Plot.text([full], {
        x: (d: number) => d, frameAnchor: 'top', textAnchor: 'end', dx: -4, dy: 2,
        text: () => `full update ${formatCompact(full)}`, fill: colors.threshold, className: 'll-full-update-label',
      }),
    );
  }
  const plain = shown.filter((p) => !p.highlight).slice(0, MAX_DOTS);
  marks.push(
    Plot.dot(plain, {
      x: 'parameters', y: 'error', r: 3.5, title,
      fill: (p: ParamsErrorPoint) => (p.fullUpdateCheaper ? colors.threshold : colors.primary),
      fillOpacity: 0.75, className: 'll-points',
    }),
    Plot.dot(shown.filter((p) => p.highlight), {
      x: 'parameters', y: 'error', r: 6, stroke: colors.budget, strokeWidth: 2.5, fill: colors.background, title, className: 'll-highlight',
    }),
  );
  return chart(document, opts, {
    color: { type: 'identity' },
    x: { type: scale, label: opts.xLabel ?? 'LoRA parameters', labelAnchor: 'right', tickFormat: formatCompact, nice: true, ...(scale === 'log' ? {} : { zero: true }) },
    y: { label: opts.yLabel ?? 'error', zero: true, nice: true, tickFormat: formatCompact },
    marks,
  });
}
