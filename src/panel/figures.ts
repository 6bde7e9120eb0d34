/** Data for the panel's figures (and the HTML report's): pure transforms of rows and metrics. */
import type { Report } from '../protocol';
import type { ErrorCurvePoint } from '../report/plots/errorVsRankPlot';
import type { ParamsErrorPoint } from '../report/plots/paramsVsErrorPlot';
import type { PartitionPlan } from '../report/plots/partitionPlanFigure';
import { errorTable } from '../theory/spectralErrors';
import type { RowMetrics } from './budget';
import type { PanelRow } from './rows';

/**
 * How far the selected row's curves go: past both the required rank and the budget (so both rules
 * show), at least 8, never beyond min(in, out).
 */
export function curveMaxRank(row: PanelRow, budget: number): number {
  const wanted = Math.max(8, Math.ceil(1.5 * Math.max(row.requiredRank, budget)) + 1);
  return Math.max(1, Math.min(row.maxUsefulRank, wanted));
}

/** Errors at ranks 0…maxRank from the row's spectrum (theory `errorTable`); empty without one. */
export function errorCurve(row: PanelRow, maxRank: number): ErrorCurvePoint[] {
  if (row.sigma === null) return [];
  return errorTable([row.sigma], maxRank, [row.layers]).map((r) => ({ rank: r.rank, spectral: r.spectral[0], frobenius: r.frobenius[0] }));
}

/** One row across ranks: LoRA parameters r·(in+out)·layers against the spectral error left. */
export function paramsAcrossRanks(row: PanelRow, curve: readonly ErrorCurvePoint[], budget: number): ParamsErrorPoint[] {
  return curve.map((p) => ({
    label: `rank ${p.rank}`,
    parameters: p.rank * row.loraPerRank,
    error: p.spectral,
    highlight: p.rank === budget,
    fullUpdateCheaper: p.rank * row.loraPerRank > row.fullParameters,
  }));
}

/** Every row with a spectrum at the budget: parameters against relative spectral error σ_{b+1}/σ₁. */
export function paramsAcrossRows(rows: readonly PanelRow[], metrics: readonly RowMetrics[], selectedId: string | undefined): ParamsErrorPoint[] {
  const points: ParamsErrorPoint[] = [];
  rows.forEach((row, i) => {
    const m = metrics[i];
    if (m.relativeSpectral === null || row.requiredRank === 0) return;
    points.push({
      label: row.name,
      parameters: m.loraParameters,
      error: m.relativeSpectral,
      highlight: row.id === selectedId,
      fullUpdateCheaper: m.fullUpdateCheaper,
    });
  });
  return points;
}

/** The uniform and optimal partitions of an FNN report, in that order; empty for other kinds. */
export function partitionPlans(report: Report): PartitionPlan[] {
  const fnn = report.fnn;
  if (!fnn) return [];
  return [
    { name: 'uniform', partition: fnn.uniform.partition, discrepancyRanks: fnn.uniform.discrepancyRanks, requiredRank: fnn.uniform.requiredRank },
    { name: 'optimal', partition: fnn.best.partition, discrepancyRanks: fnn.best.discrepancyRanks, requiredRank: fnn.best.requiredRank },
  ];
}
