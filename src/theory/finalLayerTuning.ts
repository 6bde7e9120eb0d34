/** LoRA versus tuning the final layers (theory §5) [statement reconstructed; the gist is certain]. */
import { finalLayerTuningParameterCount, fnnLoraParameterCount } from './parameterCounts';
import type { RuleInfo } from './types';
import { ceilDiv, requireInteger } from './validate';

export interface FinalLayerTuningComparison extends RuleInfo {
  /** `⌈D/L⌉`: LoRA rank that represents a one-layer target. */
  loraRank: number;
  /** `2·D·R·L`. */
  loraParameters: number;
  /** `(L−1)(D² + D)`: tuning all layers but the first. */
  finalLayerTuningParameters: number;
  /** For random frozen weights, final-layer tuning almost surely cannot represent the target. */
  finalLayerTuningRepresents: false;
}

/**
 * For random frozen weights of width D and depth L and a one-layer target: LoRA needs `R = ⌈D/L⌉`
 * (`2·D·R·L` parameters) while tuning the last `L−1` layers (`(L−1)(D²+D)` parameters) almost surely
 * cannot represent the target.
 */
export function finalLayerTuningComparison(D: number, L: number): FinalLayerTuningComparison {
  requireInteger(D, 'D (width)');
  requireInteger(L, 'L (depth)');
  const loraRank = ceilDiv(D, L);
  return {
    rule: 'lora-vs-final-layer-tuning',
    ruleText:
      'Zeng & Lee (ICLR 2024), LoRA versus final-layer tuning: for random frozen weights and a one-layer target, tuning the last L−1 layers almost surely cannot represent the target, while LoRA of rank ⌈D/L⌉ on every layer can.',
    guarantee: 'exact',
    reconstructed: true,
    caveats: ['statement reconstructed; the gist is certain', 'random frozen weights'],
    loraRank,
    loraParameters: fnnLoraParameterCount(D, loraRank, L),
    finalLayerTuningParameters: finalLayerTuningParameterCount(D, L),
    finalLayerTuningRepresents: false,
  };
}
