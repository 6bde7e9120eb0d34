/** Per-layer LoRA ranks (theory §2): only the total rank per block matters. */
import { NON_SINGULARITY_ASSUMED, TUNABLE_BIASES_ASSUMED } from './caveats';
import { partitionShape } from './partition';
import { type Partition, type RuleInfo, TheoryInputError } from './types';
import { requireInteger } from './validate';

export interface BlockRankSum {
  targetLayer: number;
  layers: number[];
  /** `Σ_{l∈P_i} min(R_l, D)`. */
  rankSum: number;
  /** `rank(E_i)` used for the verdict (D when not given: the random-model worst case). */
  discrepancyRank: number;
  /** `rankSum ≥ rank(E_i)`. */
  exact: boolean;
}

export interface BlockRankSumsResult extends RuleInfo {
  blocks: BlockRankSum[];
  /** Every block exact, i.e. the adapted model represents the target. */
  allExact: boolean;
}

/**
 * Block capacities for per-layer ranks: block i is exact when `Σ_{l∈P_i} min(R_l, D) ≥ rank(E_i)`.
 *
 * @param perLayerRanks shape [L], `R_l` for frozen layers 1..L (non-negative integers; values above D are clipped)
 * @param partition shape [L̄][|P_i|]
 * @param D width
 * @param discrepancyRanks optional shape [L̄], `rank(E_i)`; default D for every block (random models)
 */
export function blockRankSums(
  perLayerRanks: readonly number[],
  partition: Partition,
  D: number,
  discrepancyRanks?: readonly number[],
): BlockRankSumsResult {
  requireInteger(D, 'D (width)');
  const { L, Lbar } = partitionShape(partition);
  if (!Array.isArray(perLayerRanks) || perLayerRanks.length !== L) {
    throw new TheoryInputError(`expected ${L} per-layer ranks (one per frozen layer), got ${Array.isArray(perLayerRanks) ? perLayerRanks.length : 'none'}`);
  }
  perLayerRanks.forEach((r, l) => requireInteger(r, `R_${l + 1}`, 0));
  if (discrepancyRanks !== undefined && discrepancyRanks.length !== Lbar) {
    throw new TheoryInputError(`expected ${Lbar} discrepancy ranks (one per block), got ${discrepancyRanks.length}`);
  }
  const blocks = partition.map((layers, b): BlockRankSum => {
    const rankSum = layers.reduce((sum, l) => sum + Math.min(perLayerRanks[l - 1], D), 0);
    const discrepancyRank = discrepancyRanks === undefined ? D : requireInteger(discrepancyRanks[b], `rank(E_${b + 1})`, 0);
    if (discrepancyRank > D) throw new TheoryInputError(`rank(E_${b + 1})=${discrepancyRank} exceeds the width D=${D}`);
    return { targetLayer: b + 1, layers: [...layers], rankSum, discrepancyRank, exact: rankSum >= discrepancyRank };
  });
  const caveats = [NON_SINGULARITY_ASSUMED, TUNABLE_BIASES_ASSUMED];
  if (discrepancyRanks === undefined) caveats.push('discrepancy ranks not given: assumed full (D), as for random models');
  return {
    rule: 'fnn-per-layer-ranks',
    ruleText:
      'Zeng & Lee (ICLR 2024), per-layer LoRA ranks: block i is represented exactly when Σ_{l∈P_i} min(R_l, D) ≥ rank(E_i); only the total rank per block matters, not how it is spread.',
    guarantee: 'exact',
    caveats,
    blocks,
    allExact: blocks.every((b) => b.exact),
  };
}

/**
 * Ranks the construction gives each layer of one block: layer l takes singular directions
 * `(l−1)R+1 … lR` of E, clipped to `rank(E)` (≤ D), so `R_l = clamp(rank(E) − (l−1)R, 0, R)`.
 *
 * @param D width
 * @param blockSize number of frozen layers in the block (m ≥ 1)
 * @param R LoRA rank per layer (≥ 0; may exceed D)
 * @param discrepancyRank `rank(E)`, default D
 * @returns shape [m]; e.g. (16, 3, 6) → [6, 6, 4]
 */
export function constructionRanks(D: number, blockSize: number, R: number, discrepancyRank = D): number[] {
  requireInteger(D, 'D (width)');
  requireInteger(blockSize, 'block size');
  requireInteger(R, 'R (LoRA rank)', 0);
  requireInteger(discrepancyRank, 'rank(E)', 0);
  if (discrepancyRank > D) throw new TheoryInputError(`rank(E)=${discrepancyRank} exceeds the width D=${D}`);
  const ranks: number[] = [];
  for (let l = 1; l <= blockSize; l++) {
    ranks.push(Math.max(0, Math.min(R, discrepancyRank - (l - 1) * R)));
  }
  return ranks;
}
