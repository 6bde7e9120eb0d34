/**
 * Validation by training (issue 6): median test MSE against LoRA rank, one line per method (and bias
 * mode, when both were run), log y, with the theory's rank threshold marked.
 */
import type { ValidationBiasMode, ValidationCurvePoint, ValidationMethod } from '../../protocol';
import { Plot, type PlotDocument, type PlotMark, type PlotSvg } from './observablePlot';
import { chart } from './chart';
import { colors, defaultSize, formatCompact } from './theme';

export interface ValidationPlotOptions {
  /** Theory's required rank: drawn as a red dashed rule. */
  threshold?: number;
  title?: string;
  width?: number;
  height?: number;
}

/**
 * MSEs below this are drawn at it: the construction reaches float64 round-off (~1e-30) or exactly 0,
 * which a log axis cannot place and which would squash every other curve against the top.
 */
export const VALIDATION_MSE_FLOOR = 1e-16;

const METHOD_LABEL: Record<ValidationMethod, string> = {
  construction: 'construction (theory §2)',
  gradient: 'gradient descent (LoRA)',
  'final-layers': 'final-layer tuning',
};

const METHOD_COLOR: Record<ValidationMethod, string> = {
  construction: colors.primary,
  gradient: colors.secondary,
  'final-layers': colors.accent,
};

interface SeriesPoint {
  rank: number;
  mse: number;
  /** Whether `mse` was raised to the floor. */
  floored: boolean;
  medianTestMse: number;
}

/** Height of one series label line, px. */
const LABEL_LINE = 13;

/** One curve: a method, and a bias mode when the result has both (the ablation). */
export interface ValidationSeries {
  /** `construction`, or `construction-frozen` for the ablation's second curve; used in class names. */
  key: string;
  label: string;
  method: ValidationMethod;
  bias: ValidationBiasMode;
  points: ValidationCurvePoint[];
}

/** Groups the curve points into series, points sorted by rank. */
export function validationSeries(curves: readonly ValidationCurvePoint[]): ValidationSeries[] {
  const biasModes = new Set(curves.filter((c) => c.method !== 'final-layers').map((c) => c.bias));
  const both = biasModes.size > 1;
  const byKey = new Map<string, ValidationSeries>();
  for (const c of curves) {
    const showBias = both && c.method !== 'final-layers';
    const key = showBias ? `${c.method}-${c.bias}` : c.method;
    let s = byKey.get(key);
    if (!s) {
      s = { key, label: showBias ? `${METHOD_LABEL[c.method]}, ${c.bias} biases` : METHOD_LABEL[c.method], method: c.method, bias: c.bias, points: [] };
      byKey.set(key, s);
    }
    s.points.push(c);
  }
  for (const s of byKey.values()) s.points.sort((a, b) => a.rank - b.rank);
  return [...byKey.values()];
}

/**
 * @param curves the ValidationResult's curve points (any order)
 * @returns an `<svg>`; each series' line carries the classes `ll-line ll-line-<key>`, its dots
 *   `ll-points-<key>`, the threshold rule `ll-threshold`
 */
export function validationPlot(curves: readonly ValidationCurvePoint[], opts: ValidationPlotOptions, document: PlotDocument): PlotSvg {
  const series = validationSeries(curves);
  const maxRank = Math.max(1, opts.threshold ?? 1, ...curves.map((c) => c.rank));
  const minRank = Math.min(maxRank, ...curves.map((c) => c.rank));
  const marks: PlotMark[] = [Plot.gridY({ stroke: 'currentColor', strokeOpacity: 0.1, className: 'll-grid' })];
  series.forEach((s, index) => {
    const data: SeriesPoint[] = s.points
      .filter((p) => Number.isFinite(p.medianTestMse))
      .map((p) => ({ rank: p.rank, mse: Math.max(p.medianTestMse, VALIDATION_MSE_FLOOR), floored: p.medianTestMse < VALIDATION_MSE_FLOOR, medianTestMse: p.medianTestMse }));
    const stroke = s.bias === 'frozen' && s.method !== 'final-layers' ? colors.muted : METHOD_COLOR[s.method];
    const dashed = s.bias === 'frozen' && s.method !== 'final-layers';
    const title = (d: SeriesPoint) => `${s.label}, rank ${d.rank}: median test MSE ${d.medianTestMse.toExponential(3)}${d.floored ? ' (drawn at the floor)' : ''}`;
    marks.push(
      Plot.line(data, { x: 'rank', y: 'mse', stroke, strokeWidth: 2, ...(dashed ? { strokeDasharray: '4,3' } : {}), className: `ll-line ll-line-${s.key}` }),
      Plot.dot(data, { x: 'rank', y: 'mse', r: 3, fill: stroke, title, className: `ll-points-${s.key}` }),
    );
    // Direct labels above the frame's right end, one line each, so no curve runs under them (a legend
    // would make Plot return a <figure>); the top margin grows with the number of series.
    marks.push(
      Plot.text([s.label], {
        frameAnchor: 'top-right', textAnchor: 'end', lineAnchor: 'bottom', dy: -6 - LABEL_LINE * (series.length - 1 - index),
        text: (d: string) => d, fill: stroke, className: 'll-series-label',
      }),
    );
  });
  if (opts.threshold !== undefined) {
    marks.push(
      Plot.ruleX([opts.threshold], { stroke: colors.threshold, strokeWidth: 1.5, strokeDasharray: '5,3', className: 'll-threshold' }),
      Plot.text([opts.threshold], {
        x: (d: number) => d, frameAnchor: 'bottom', textAnchor: 'start', dx: 4, dy: -14,
        text: () => `threshold r = ${opts.threshold}`, fill: colors.threshold, className: 'll-threshold-label',
      }),
    );
  }
  return chart(document, { ...opts, height: opts.height ?? Math.max(defaultSize.height, 220 + LABEL_LINE * series.length) }, {
    marginLeft: 60,
    marginTop: 22 + LABEL_LINE * series.length,
    x: { label: 'LoRA rank r', labelAnchor: 'right', domain: [minRank, maxRank], ticks: Math.min(10, maxRank - minRank + 1) },
    y: { type: 'log', label: 'median test MSE', tickFormat: formatCompact },
    marks,
  });
}
