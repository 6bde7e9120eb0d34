/** Exact-representation rank thresholds for fully connected ReLU networks (theory §2). */
import { NON_SINGULARITY_ASSUMED, TUNABLE_BIASES_ASSUMED } from './caveats';
import { depthRatio, isUniformPartition, partitionShape, uniformPartition } from './partition';
import { type Partition, type RuleInfo, TheoryInputError } from './types';
import { ceilDiv, requireDepths, requireInteger } from './validate';

export interface FnnWorstCaseThreshold extends RuleInfo {
  /** The guaranteed rank `⌈D / M⌉` (what to show). */
  requiredRank: number;
  /** The paper's headline `D·L̄/L` (may be fractional). */
  headline: number;
  /** `⌈D·L̄/L⌉`; smaller than `requiredRank` when L̄ does not divide L (e.g. D=16, L=5, L̄=2: 7 vs 8). */
  headlineCeil: number;
  /** `M = ⌊L/L̄⌋`. */
  depthRatio: number;
  /** The uniform partition the guarantee uses, shape [L̄][|P_i|]. */
  partition: Partition;
}

/**
 * Worst-case (and, for random models, exact) FNN threshold from the architecture alone:
 * `rank(E_i) ≤ D`, so `R ≥ ⌈D / ⌊L/L̄⌋⌉` always suffices.
 *
 * @param D width of every layer
 * @param L frozen depth
 * @param Lbar target depth, `1 ≤ L̄ ≤ L`
 */
export function fnnWorstCaseThreshold(D: number, L: number, Lbar: number): FnnWorstCaseThreshold {
  requireInteger(D, 'D (width)');
  requireDepths(L, Lbar);
  const M = depthRatio(L, Lbar);
  const requiredRank = ceilDiv(D, M);
  const headline = (D * Lbar) / L;
  const headlineCeil = ceilDiv(D * Lbar, L);
  const caveats = [NON_SINGULARITY_ASSUMED, TUNABLE_BIASES_ASSUMED];
  if (headlineCeil < requiredRank) {
    caveats.push(
      `L̄=${Lbar} does not divide L=${L}: the guaranteed rank is ⌈D/⌊L/L̄⌋⌉ = ${requiredRank}, above the headline ⌈D·L̄/L⌉ = ${headlineCeil}`,
    );
  }
  return {
    rule: 'fnn-uniform-worst-case',
    ruleText:
      'Zeng & Lee (ICLR 2024), exact representation of a target FNN of depth L̄ ≤ L with the uniform partition: LoRA rank ⌈D/⌊L/L̄⌋⌉ suffices for any target, since every discrepancy has rank at most D; for random weights every discrepancy has rank D, so this is the threshold and no other partition gives less.',
    guarantee: 'exact',
    caveats,
    requiredRank,
    headline,
    headlineCeil,
    depthRatio: M,
    partition: uniformPartition(L, Lbar),
  };
}

/** One block of a partition threshold. */
export interface BlockThreshold {
  /** 1-based target layer i. */
  targetLayer: number;
  /** Frozen layers of the block, 1-based. */
  layers: number[];
  /** `rank(E_i)`. */
  discrepancyRank: number;
  /** `⌈rank(E_i) / |P_i|⌉`. */
  requiredRank: number;
}

export interface FnnPartitionThreshold extends RuleInfo {
  /** `max_i ⌈rank(E_i)/|P_i|⌉`; 0 when every discrepancy is zero. */
  requiredRank: number;
  blocks: BlockThreshold[];
  /** 1-based target layers whose block attains the maximum (empty when `requiredRank` is 0). */
  bindingBlocks: number[];
  /** Whether the partition is the uniform one. */
  uniform: boolean;
}

/**
 * Threshold for given discrepancy ranks and partition: `R ≥ max_i ⌈rank(E_i) / |P_i|⌉`.
 * For the uniform partition pass {@link uniformPartition}.
 *
 * @param discrepancyRanks shape [L̄], `rank(E_i)` for the blocks of `partition`, non-negative integers
 * @param partition shape [L̄][|P_i|], validated
 * @param D optional width; when given, ranks above D are rejected
 */
export function fnnThresholdFromRanks(
  discrepancyRanks: readonly number[],
  partition: Partition,
  D?: number,
): FnnPartitionThreshold {
  const { Lbar } = partitionShape(partition);
  if (D !== undefined) requireInteger(D, 'D (width)');
  if (!Array.isArray(discrepancyRanks) || discrepancyRanks.length !== Lbar) {
    throw new TheoryInputError(
      `expected ${Lbar} discrepancy ranks (one per block), got ${Array.isArray(discrepancyRanks) ? discrepancyRanks.length : 'none'}`,
    );
  }
  const blocks = partition.map((layers, b): BlockThreshold => {
    const rank = requireInteger(discrepancyRanks[b], `rank(E_${b + 1})`, 0);
    if (D !== undefined && rank > D) {
      throw new TheoryInputError(`rank(E_${b + 1})=${rank} exceeds the width D=${D}`);
    }
    return { targetLayer: b + 1, layers: [...layers], discrepancyRank: rank, requiredRank: ceilDiv(rank, layers.length) };
  });
  const requiredRank = Math.max(0, ...blocks.map((b) => b.requiredRank));
  const uniform = isUniformPartition(partition);
  return {
    rule: uniform ? 'fnn-uniform-partition' : 'fnn-general-partition',
    ruleText: uniform
      ? 'Zeng & Lee (ICLR 2024), exact representation with the uniform partition: rank max_i ⌈rank(E_i)/M⌉ suffices (the last block may be longer; its own size is used).'
      : 'Zeng & Lee (ICLR 2024), exact representation with a general partition: rank max_i ⌈rank(E_i)/|P_i|⌉ suffices for any ordered partition into consecutive blocks.',
    guarantee: 'exact',
    caveats: [NON_SINGULARITY_ASSUMED, TUNABLE_BIASES_ASSUMED],
    requiredRank,
    blocks,
    bindingBlocks: requiredRank === 0 ? [] : blocks.filter((b) => b.requiredRank === requiredRank).map((b) => b.targetLayer),
    uniform,
  };
}
