/**
 * The selected row's figures, drawn by the shared plot functions into this document. Plot's <style>
 * elements are removed (the CSP allows only the extension's stylesheet; media/panel.css has the
 * equivalent rules).
 */
import type { RowMetrics } from '../../src/panel/budget';
import { curveMaxRank, errorCurve, paramsAcrossRanks, paramsAcrossRows } from '../../src/panel/figures';
import type { PanelRow } from '../../src/panel/rows';
import { errorVsRankPlot } from '../../src/report/plots/errorVsRankPlot';
import { paramsVsErrorPlot } from '../../src/report/plots/paramsVsErrorPlot';
import { spectrumPlot } from '../../src/report/plots/spectrumPlot';
import { describeGuarantee } from '../../src/theory/format';
import { h, replaceChildren } from './dom';

export type ParamsMode = 'modules' | 'ranks';

/** Strips Plot's inline <style> (blocked by the CSP anyway) and returns the node to insert. */
export function adopt(svg: Element): Element {
  svg.querySelectorAll('style').forEach((s) => s.remove());
  return svg;
}

function figure(title: string, caption: string, svg: Element | null, empty: string): HTMLElement {
  return h('figure', { class: 'figure' },
    h('figcaption', {}, h('span', { class: 'fig-title' }, title), h('span', { class: 'fig-caption' }, caption)),
    svg ? adopt(svg) : h('p', { class: 'empty' }, empty));
}

export interface FigureInputs {
  row: PanelRow | undefined;
  rows: readonly PanelRow[];
  metrics: readonly RowMetrics[];
  budget: number;
  paramsMode: ParamsMode;
  width: number;
}

/** Renders the three figures into `host`; returns how many SVGs it drew. */
export function renderFigures(host: HTMLElement, input: FigureInputs): number {
  const { row, budget } = input;
  const width = Math.max(280, Math.floor(input.width));
  const height = 240;
  const figures: HTMLElement[] = [];
  let drawn = 0;
  if (row && row.sigma !== null) {
    const tol = row.tolerance ?? undefined;
    const spectrum = spectrumPlot(row.sigma, {
      tolerance: tol,
      budget: budget * row.layers,
      budgetLabel: row.layers > 1 ? `r·|P| = ${budget}·${row.layers} = ${budget * row.layers}` : undefined,
      title: `Singular values of ${row.name}`, width, height }, document) as Element;
    drawn++;
    figures.push(figure('Singular spectrum', `σ of ${row.measuredLabel === 'rank(E)' ? 'the discrepancy E' : row.source === 'pair' ? 'scale·B·A' : 'ΔW'}, log scale`, spectrum, ''));
    const curve = errorCurve(row, curveMaxRank(row, budget));
    const errors = errorVsRankPlot(curve, {
      requiredRank: row.requiredRank,
      requiredLabel: `required r = ${row.requiredRank} (${describeGuarantee(row.rule.guarantee)})`,
      budget,
      title: `Error against rank for ${row.name}`,
      width,
      height,
    }, document) as Element;
    drawn++;
    figures.push(figure('Error against rank', row.layers > 1 ? `rank r on each of ${row.layers} frozen layers` : 'best rank-r update (Eckart–Young–Mirsky)', errors, ''));
    const across = input.paramsMode === 'ranks';
    const points = across ? paramsAcrossRanks(row, curve, budget) : paramsAcrossRows(input.rows, input.metrics, row.id);
    const params = paramsVsErrorPlot(points, {
      connect: across,
      fullUpdateParameters: across ? row.fullParameters : undefined,
      xLabel: 'LoRA parameters',
      yLabel: across ? 'spectral error' : 'relative spectral error σᵣ₊₁/σ₁',
      title: across ? `Parameters against error for ${row.name}` : 'Parameters against error, every module at the budget',
      width,
      height,
    }, document) as Element;
    drawn++;
    figures.push(figure('Parameters against error', across ? 'this module across ranks' : `every ${row.source === 'block' ? 'block' : 'module'} at r = ${budget}`, params, ''));
  } else if (row) {
    figures.push(figure('Singular spectrum', '', null, row.sigma === null && row.status === 'invalid'
      ? `No spectrum: ${row.problem ?? 'the module could not be read'}`
      : 'No spectrum: this report has no tensors (architecture only). Compare a fine-tuned checkpoint to see one.'));
  }
  replaceChildren(host, ...figures);
  return drawn;
}
