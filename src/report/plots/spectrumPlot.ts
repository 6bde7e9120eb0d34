/** The singular spectrum of one weight delta (or discrepancy), on a log scale. */
import { Plot, type PlotDocument, type PlotMark, type PlotSvg } from './observablePlot';
import { chart } from './chart';
import { colors, defaultSize, formatCompact, themeSvg } from './theme';

export interface SpectrumPlotOptions {
  /** Rank tolerance: values at or below it do not count toward the rank; drawn as a dashed line. */
  tolerance?: number;
  /** Rank budget b: a rule after σ_b; the values to its right are what rank-b LoRA leaves out. */
  budget?: number;
  /** Text at the budget rule (default "budget r = b"), e.g. "r·|P| = 8" for an FNN block. */
  budgetLabel?: string;
  /** Name for screen readers (e.g. the module). */
  title?: string;
  width?: number;
  height?: number;
}

/** Above this many values the dots are dropped and only the line is drawn (SVG stays light). */
const MAX_DOTS = 160;

interface SpectrumPoint {
  /** 1-based index k of σ_k. */
  k: number;
  sigma: number;
  kept: boolean;
}

/**
 * σ_k against k, log y. Exact zeros have no place on a log axis and are left out (the text says how
 * many); values above the budget are drawn in the primary colour, the rest muted.
 *
 * @param sigma shape [n], descending, non-negative
 * @returns an `<svg>` built in `document`; marks carry classes (prefixed `ll-`) `spectrum`, `kept`, `dropped`,
 *   `tolerance`, `budget`
 */
export function spectrumPlot(sigma: readonly number[], opts: SpectrumPlotOptions, document: PlotDocument): PlotSvg {
  const budget = opts.budget ?? 0;
  const points: SpectrumPoint[] = [];
  sigma.forEach((s, i) => {
    if (s > 0 && Number.isFinite(s)) points.push({ k: i + 1, sigma: s, kept: i < budget });
  });
  const zeros = sigma.length - points.length;
  const width = opts.width ?? defaultSize.width;
  const height = opts.height ?? defaultSize.height;
  const marks: PlotMark[] = [];
  const tolerance = opts.tolerance !== undefined && opts.tolerance > 0 ? opts.tolerance : undefined;

  if (points.length === 0) {
    marks.push(
      Plot.text([`all ${sigma.length} singular values are 0: nothing to adapt`], {
        frameAnchor: 'middle',
        fill: colors.muted,
        fontSize: 12,
        className: 'll-empty',
      }),
    );
    return themeSvg(Plot.plot({
      document, width, height, ariaLabel: opts.title, x: { axis: null }, y: { axis: null }, marks,
    }));
  }

  const values = points.map((p) => p.sigma);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (tolerance !== undefined) {
    lo = Math.min(lo, tolerance);
    hi = Math.max(hi, tolerance);
  }
  marks.push(Plot.gridY({ stroke: 'currentColor', strokeOpacity: 0.1, className: 'll-grid' }));
  marks.push(
    Plot.line(points, { x: 'k', y: 'sigma', stroke: colors.primary, strokeWidth: 1.5, className: 'll-spectrum' }),
  );
  if (points.length <= MAX_DOTS) {
    const title = (p: SpectrumPoint) => `σ${p.k} = ${p.sigma.toPrecision(4)}`;
    marks.push(
      Plot.dot(points.filter((p) => p.kept), { x: 'k', y: 'sigma', r: 3, fill: colors.primary, title, className: 'll-kept' }),
      Plot.dot(points.filter((p) => !p.kept), {
        x: 'k', y: 'sigma', r: 2.5, stroke: colors.muted, fill: colors.background, title, className: 'll-dropped',
      }),
    );
  }
  if (tolerance !== undefined) {
    marks.push(
      Plot.ruleY([tolerance], { stroke: colors.threshold, strokeDasharray: '4,3', className: 'll-tolerance' }),
      Plot.text([tolerance], {
        y: (d: number) => d, frameAnchor: 'right', dy: -7, dx: -4, text: () => `tolerance ${formatCompact(tolerance)}`,
        fill: colors.threshold, className: 'll-tolerance-label',
      }),
    );
  }
  if (budget > 0 && budget < sigma.length) {
    marks.push(
      Plot.ruleX([budget + 0.5], { stroke: colors.budget, strokeWidth: 1.5, className: 'll-budget' }),
      Plot.text([budget + 0.5], {
        x: (d: number) => d, frameAnchor: 'bottom', textAnchor: 'start', dx: 4, dy: -4,
        text: () => opts.budgetLabel ?? `budget r = ${budget}`, fill: colors.budget, className: 'll-budget-label',
      }),
    );
  }
  return chart(document, { width, height, title: opts.title }, {
    marginTop: 20,
    x: { label: zeros > 0 ? `k  (σₖ; ${zeros} exact zero${zeros === 1 ? '' : 's'} not shown)` : 'k  (σₖ)', labelAnchor: 'right', domain: [0.5, sigma.length + 0.5], ticks: Math.min(10, sigma.length) },
    y: { type: 'log', label: 'singular value σₖ', domain: [lo / 1.5, hi * 1.5], tickFormat: formatCompact },
    marks,
  });
}
