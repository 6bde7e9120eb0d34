/** Best approximation error against LoRA rank, with the required rank (threshold) marked. */
import { Plot, type PlotDocument, type PlotMark, type PlotSvg } from './observablePlot';
import { chart } from './chart';
import { colors, formatCompact } from './theme';

/** Errors after a rank-`rank` update (one matrix, or one block of the FNN construction). */
export interface ErrorCurvePoint {
  rank: number;
  spectral: number;
  frobenius: number;
}

export interface ErrorVsRankOptions {
  /** Required rank (the threshold): error reaches 0 there. Drawn as a red rule. */
  requiredRank?: number;
  /** Text next to the threshold rule, e.g. "required 4 (exact)". */
  requiredLabel?: string;
  /** Current rank budget: drawn as a green rule with both errors at it. */
  budget?: number;
  title?: string;
  width?: number;
  height?: number;
}

interface SeriesPoint {
  rank: number;
  error: number;
  norm: 'spectral' | 'Frobenius';
}

const MAX_DOTS = 80;

/**
 * Spectral and Frobenius error against rank, linear axes (errors reach exactly 0 at the threshold,
 * which a log axis could not show).
 *
 * @param curve shape [ranks], increasing rank
 * @returns an `<svg>`; marks carry classes (prefixed `ll-`) `spectral`, `frobenius`, `threshold`, `budget`
 */
export function errorVsRankPlot(curve: readonly ErrorCurvePoint[], opts: ErrorVsRankOptions, document: PlotDocument): PlotSvg {
  const series: SeriesPoint[] = [];
  for (const p of curve) {
    series.push({ rank: p.rank, error: p.spectral, norm: 'spectral' }, { rank: p.rank, error: p.frobenius, norm: 'Frobenius' });
  }
  const spectral = series.filter((s) => s.norm === 'spectral');
  const frobenius = series.filter((s) => s.norm === 'Frobenius');
  const title = (s: SeriesPoint) => `rank ${s.rank}: ${s.norm} error ${s.error.toPrecision(4)}`;
  const dots = curve.length <= MAX_DOTS;
  const maxRank = curve.length > 0 ? curve[curve.length - 1].rank : 1;
  const marks: PlotMark[] = [
    Plot.gridY({ stroke: 'currentColor', strokeOpacity: 0.1, className: 'll-grid' }),
    Plot.ruleY([0], { stroke: colors.muted, className: 'll-zero' }),
    Plot.line(frobenius, { x: 'rank', y: 'error', stroke: colors.secondary, strokeWidth: 1.5, className: 'll-frobenius' }),
    Plot.line(spectral, { x: 'rank', y: 'error', stroke: colors.primary, strokeWidth: 2, className: 'll-spectral' }),
  ];
  if (dots) {
    marks.push(
      Plot.dot(frobenius, { x: 'rank', y: 'error', r: 2, fill: colors.secondary, title, className: 'll-frobenius-points' }),
      Plot.dot(spectral, { x: 'rank', y: 'error', r: 2.5, fill: colors.primary, title, className: 'll-spectral-points' }),
    );
  }
  // Direct labels at rank 0 instead of a legend (a legend would make Plot return a <figure>).
  const first = curve[0];
  if (first) {
    const spectralAbove = first.spectral >= first.frobenius;
    const label = (text: string, error: number, fill: string, above: boolean) =>
      Plot.text([{ rank: first.rank, error }], {
        x: 'rank', y: 'error', text: () => text, fill, textAnchor: 'start', dx: 6, dy: above ? -9 : 11, className: 'll-series-label',
      });
    marks.push(
      label('spectral ‖·‖₂', first.spectral, colors.primary, spectralAbove),
      label('Frobenius ‖·‖F', first.frobenius, colors.secondary, !spectralAbove),
    );
  }
  if (opts.requiredRank !== undefined) {
    marks.push(
      Plot.ruleX([opts.requiredRank], { stroke: colors.threshold, strokeWidth: 1.5, strokeDasharray: '5,3', className: 'll-threshold' }),
      Plot.text([opts.requiredRank], {
        x: (d: number) => d, frameAnchor: 'top', textAnchor: 'start', dx: 4, dy: 2,
        text: () => opts.requiredLabel ?? `required r = ${opts.requiredRank}`, fill: colors.threshold, className: 'll-threshold-label',
      }),
    );
  }
  const atBudget = opts.budget !== undefined ? curve.find((p) => p.rank === opts.budget) : undefined;
  if (opts.budget !== undefined && opts.budget <= maxRank) {
    marks.push(Plot.ruleX([opts.budget], { stroke: colors.budget, strokeWidth: 1.5, className: 'll-budget' }));
    if (atBudget) {
      marks.push(
        Plot.dot([atBudget], { x: 'rank', y: 'spectral', r: 5, stroke: colors.budget, strokeWidth: 2, fill: colors.background, className: 'll-budget-point' }),
        Plot.text([atBudget], {
          x: 'rank', y: 'spectral', textAnchor: 'start', dx: 8, dy: -8,
          text: (p: ErrorCurvePoint) => `r = ${p.rank}: ${formatCompact(p.spectral)}`, fill: colors.budget, className: 'll-budget-label',
        }),
      );
    }
  }
  return chart(document, opts, {
    x: { label: 'LoRA rank r', labelAnchor: 'right', domain: [curve[0]?.rank ?? 0, Math.max(maxRank, 1)], ticks: Math.min(10, maxRank) },
    y: { label: 'error after rank r', zero: true, nice: true, tickFormat: formatCompact },
    marks,
  });
}
