/**
 * Everything in the table that depends on the rank budget, recomputed from the cached singular values
 * with the theory core's own functions (no engine round-trip). One pass over the rows per budget change.
 */
import { frobeniusErrorAfterRank, retainedEnergy, spectralErrorAfterRank } from '../theory/spectralErrors';
import type { PanelRow } from './rows';

export interface RowMetrics {
  /** σ_{b·m+1}: best spectral error at the budget (m = layers of the block, 1 for a matrix); null without spectra. */
  spectral: number | null;
  /** sqrt(Σ_{k>b·m} σ_k²); null without spectra. */
  frobenius: number | null;
  /** spectral / σ₁ (0 when σ₁ = 0); null without spectra. */
  relativeSpectral: number | null;
  /** Σ_{k≤b·m} σ_k² / Σσ_k² (1 for a zero matrix); null without spectra. */
  retained: number | null;
  /** b·(in + out)·layers. */
  loraParameters: number;
  /** LoRA at this budget costs strictly more than a full update (b·(in+out) > in·out). */
  fullUpdateCheaper: boolean;
  /** b ≥ required rank: the rule says the budget suffices (exact) or is not ruled out (lower bound). */
  meetsRequirement: boolean;
}

/** Metrics of one row at rank budget `budget` (a non-negative integer). */
export function metricsAtBudget(row: PanelRow, budget: number): RowMetrics {
  const k = budget * row.layers;
  const sigma = row.sigma;
  const loraParameters = budget * row.loraPerRank;
  const base = {
    loraParameters,
    fullUpdateCheaper: loraParameters > row.fullParameters,
    meetsRequirement: budget >= row.requiredRank,
  };
  if (sigma === null) return { ...base, spectral: null, frobenius: null, relativeSpectral: null, retained: null };
  const spectral = spectralErrorAfterRank(sigma, k);
  const top = sigma.length > 0 ? sigma[0] : 0;
  return {
    ...base,
    spectral,
    frobenius: frobeniusErrorAfterRank(sigma, k),
    relativeSpectral: top > 0 ? spectral / top : 0,
    retained: retainedEnergy(sigma, k),
  };
}

/** Metrics of every row, in row order. */
export function allMetricsAtBudget(rows: readonly PanelRow[], budget: number): RowMetrics[] {
  return rows.map((row) => metricsAtBudget(row, budget));
}

export interface BudgetSummary {
  budget: number;
  rows: number;
  /** Rows whose required rank the budget meets. */
  meeting: number;
  /** Rows that need any rank at all (required > 0). */
  needing: number;
  loraParameters: number;
  fullParameters: number;
  /** Rows where a full update would be cheaper at this budget. */
  fullCheaper: number;
  /** Largest relative spectral error over rows with spectra; null when none has. */
  worstRelativeSpectral: number | null;
  /** Smallest retained energy over rows with spectra; null when none has. */
  worstRetained: number | null;
}

/** Totals over the table at one budget (only rows that need a rank count toward parameters). */
export function summarizeBudget(rows: readonly PanelRow[], metrics: readonly RowMetrics[], budget: number): BudgetSummary {
  const summary: BudgetSummary = {
    budget, rows: rows.length, meeting: 0, needing: 0, loraParameters: 0, fullParameters: 0, fullCheaper: 0,
    worstRelativeSpectral: null, worstRetained: null,
  };
  rows.forEach((row, i) => {
    const m = metrics[i];
    if (row.requiredRank > 0) summary.needing++;
    if (m.meetsRequirement) summary.meeting++;
    // An unchanged module needs no adapter: it costs nothing at any budget.
    if (row.requiredRank > 0 || row.sigma === null) {
      summary.loraParameters += m.loraParameters;
      summary.fullParameters += row.fullParameters;
      if (m.fullUpdateCheaper) summary.fullCheaper++;
    }
    if (m.relativeSpectral !== null) summary.worstRelativeSpectral = Math.max(summary.worstRelativeSpectral ?? 0, m.relativeSpectral);
    if (m.retained !== null) summary.worstRetained = Math.min(summary.worstRetained ?? 1, m.retained);
  });
  return summary;
}
