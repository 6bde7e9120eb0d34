/** The paper's simplified Transformer (theory §4): each gap is a product of two adapted factors. */
import { SIMPLIFIED_TRANSFORMER, TUNABLE_BIASES_ASSUMED } from './caveats';
import { type RuleInfo, TheoryInputError } from './types';
import { ceilDiv, requireInteger } from './validate';

export interface TransformerThreshold extends RuleInfo {
  requiredRank: number;
}

/**
 * Architecture-only threshold `⌈D/2⌉`: every gap has rank ≤ D, so it always suffices; for random
 * models it is the threshold.
 *
 * @param D embedding size
 */
export function transformerWorstCase(D: number): TransformerThreshold {
  requireInteger(D, 'D (embedding size)');
  return {
    rule: 'transformer-worst-case',
    ruleText:
      "Zeng & Lee (ICLR 2024), Transformer of the same size: LoRA rank ⌈D/2⌉ on every attention matrix (plus the last FFN output and the output layer) suffices, since each rank gap is at most D and is covered by two adapted factors.",
    guarantee: 'exact',
    caveats: [SIMPLIFIED_TRANSFORMER, TUNABLE_BIASES_ASSUMED],
    requiredRank: ceilDiv(D, 2),
  };
}

export interface TransformerGapThreshold extends TransformerThreshold {
  /** Shape [L+1]: `⌈G_i/2⌉` per gap. */
  perGap: number[];
  /** 1-based indices of the gaps attaining the maximum (empty when the threshold is 0). */
  bindingGaps: number[];
}

/**
 * Threshold from rank gaps: `R ≥ max_i ⌈G_i / 2⌉`.
 *
 * @param gaps shape [L+1]: `G_1 … G_{L+1}` (non-negative integers)
 * @param D optional embedding size; gaps above it are rejected
 */
export function transformerThresholdFromGaps(gaps: readonly number[], D?: number): TransformerGapThreshold {
  if (!Array.isArray(gaps) || gaps.length === 0) throw new TheoryInputError('at least one rank gap is needed');
  if (D !== undefined) requireInteger(D, 'D (embedding size)');
  const perGap = gaps.map((g, i) => {
    requireInteger(g, `G_${i + 1}`, 0);
    if (D !== undefined && g > D) throw new TheoryInputError(`G_${i + 1}=${g} exceeds the embedding size D=${D}`);
    return ceilDiv(g, 2);
  });
  const requiredRank = Math.max(...perGap);
  return {
    rule: 'transformer-gaps',
    ruleText:
      'Zeng & Lee (ICLR 2024), Transformer of the same size: LoRA rank max_i ⌈G_i/2⌉ suffices, G_i the rank gaps of the attention score and value products (the linear result with two adapted factors).',
    guarantee: 'exact',
    caveats: [SIMPLIFIED_TRANSFORMER, TUNABLE_BIASES_ASSUMED],
    requiredRank,
    perGap,
    bindingGaps: requiredRank === 0 ? [] : perGap.flatMap((r, i) => (r === requiredRank ? [i + 1] : [])),
  };
}
