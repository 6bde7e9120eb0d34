/**
 * Everything in the table that depends on the rank budget, recomputed from the cached singular values
 * (no engine round-trip). The errors are the theory core's (`spectralErrorAfterRank`,
 * `frobeniusErrorAfterRank`, `retainedEnergy`, Eckart–Young–Mirsky); because those validate and sum the
 * whole spectrum on every call (O(n) each: 224 modules × 4096 values took 30–80 ms), each spectrum is
 * validated once through the theory core and its tail sums cached, so a budget change is O(1) per row.
 * The unit tests check the cached values against the theory functions at every rank.
 */
import { retainedEnergy } from '../theory/spectralErrors';
import type { PanelRow } from './rows';

/** Tail sums of squares of one spectrum: `tail[k] = Σ_{j>k} σ_j²` (1-based σ), shape [n+1]. */
interface SpectrumTails {
  tail: Float64Array;
}

const tailsCache = new WeakMap<readonly number[], SpectrumTails>();

function tailsOf(sigma: readonly number[]): SpectrumTails {
  let cached = tailsCache.get(sigma);
  if (!cached) {
    retainedEnergy(sigma, 0); // validates: finite, non-negative, descending (throws a TheoryInputError)
    const tail = new Float64Array(sigma.length + 1);
    for (let j = sigma.length - 1; j >= 0; j--) tail[j] = tail[j + 1] + sigma[j] * sigma[j];
    cached = { tail };
    tailsCache.set(sigma, cached);
  }
  return cached;
}

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
  const { tail } = tailsOf(sigma);
  const spectral = k < sigma.length ? sigma[k] : 0; // = spectralErrorAfterRank(sigma, k)
  const top = sigma.length > 0 ? sigma[0] : 0;
  const rest = tail[Math.min(k, sigma.length)];
  return {
    ...base,
    spectral,
    frobenius: Math.sqrt(rest), // = frobeniusErrorAfterRank(sigma, k)
    relativeSpectral: top > 0 ? spectral / top : 0,
    retained: tail[0] === 0 ? 1 : Math.min(1, Math.max(0, 1 - rest / tail[0])), // = retainedEnergy(sigma, k)
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
