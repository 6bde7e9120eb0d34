/** Trainable-parameter counts (theory §1, §5, §6). All counts are exact integers. */
import type { RuleInfo } from './types';
import { requireInteger } from './validate';

/** LoRA `W + ABᵀ` of rank R on one matrix: `R·(in + out)`. */
export function loraParameterCount(inFeatures: number, outFeatures: number, R: number): number {
  requireInteger(inFeatures, 'in_features');
  requireInteger(outFeatures, 'out_features');
  requireInteger(R, 'R (LoRA rank)', 0);
  return R * (inFeatures + outFeatures);
}

/** Updating the whole matrix: `in·out`. */
export function fullUpdateParameterCount(inFeatures: number, outFeatures: number): number {
  requireInteger(inFeatures, 'in_features');
  requireInteger(outFeatures, 'out_features');
  return inFeatures * outFeatures;
}

/**
 * LoRA of rank R on every layer of an L-layer FNN of width D: `2·D·R·L`, plus `L·D` with tunable biases.
 */
export function fnnLoraParameterCount(D: number, R: number, L: number, tunableBiases = false): number {
  requireInteger(D, 'D (width)');
  requireInteger(R, 'R (LoRA rank)', 0);
  requireInteger(L, 'L (depth)');
  return 2 * D * R * L + (tunableBiases ? L * D : 0);
}

/** Tuning the last `L−1` layers of an FNN of width D (weights and biases): `(L−1)(D² + D)`. */
export function finalLayerTuningParameterCount(D: number, L: number): number {
  requireInteger(D, 'D (width)');
  requireInteger(L, 'L (depth)');
  return (L - 1) * (D * D + D);
}

export interface FullUpdateComparison extends RuleInfo {
  loraParameters: number;
  fullParameters: number;
  /** True when LoRA needs strictly more parameters than the full update. */
  fullUpdateCheaper: boolean;
  /** `'full-cheaper' | 'equal' | 'lora-cheaper'`. */
  comparison: 'full-cheaper' | 'equal' | 'lora-cheaper';
  /** Smallest rank at which a full update is no more expensive: `⌈in·out/(in+out)⌉`. */
  breakEvenRank: number;
  /** `r ≥ min(in, out)`: the update can already be any matrix ("LoRA at this rank is a full-rank update"). */
  fullRankUpdate: boolean;
}

/**
 * Is a full update cheaper than LoRA of rank r? Exact comparison `r·(in+out)` vs `in·out`.
 * LyCORIS's rule `r ≥ min(in,out)/2` is this comparison for square matrices only.
 */
export function fullUpdateCheaper(inFeatures: number, outFeatures: number, r: number): FullUpdateComparison {
  const loraParameters = loraParameterCount(inFeatures, outFeatures, r);
  const fullParameters = fullUpdateParameterCount(inFeatures, outFeatures);
  const comparison = loraParameters > fullParameters ? 'full-cheaper' : loraParameters === fullParameters ? 'equal' : 'lora-cheaper';
  const fullRankUpdate = r >= Math.min(inFeatures, outFeatures);
  return {
    rule: 'full-update-parameter-comparison',
    ruleText:
      "Parameter comparison: LoRA of rank r costs r·(in+out) parameters, a full update in·out; a full update is cheaper when r·(in+out) > in·out (LyCORIS's rule r ≥ min(in,out)/2 agrees only for square matrices).",
    guarantee: 'exact',
    caveats: fullRankUpdate ? ['LoRA at this rank is a full-rank update'] : [],
    loraParameters,
    fullParameters,
    fullUpdateCheaper: comparison === 'full-cheaper',
    comparison,
    breakEvenRank: Math.ceil(fullParameters / (inFeatures + outFeatures)),
    fullRankUpdate,
  };
}
