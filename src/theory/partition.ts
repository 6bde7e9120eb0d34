/** Depth ratio and partitions of frozen layers into blocks (theory §2). Layers are 1-based. */
import { type Partition, TheoryInputError } from './types';
import { requireDepths } from './validate';

/** Depth ratio `M = ⌊L / L̄⌋`: frozen layers per target layer in the uniform partition. */
export function depthRatio(L: number, Lbar: number): number {
  requireDepths(L, Lbar);
  return Math.floor(L / Lbar);
}

/**
 * Uniform partition: `P_i = {(i−1)M+1 … iM}` for `i < L̄`; the last block takes the leftovers
 * `{(L̄−1)M+1 … L}`.
 *
 * @returns shape [L̄][|P_i|], 1-based frozen-layer indices; e.g. (5, 2) → [[1,2],[3,4,5]]
 */
export function uniformPartition(L: number, Lbar: number): Partition {
  const M = depthRatio(L, Lbar);
  const blocks: Partition = [];
  for (let i = 1; i <= Lbar; i++) {
    const first = (i - 1) * M + 1;
    const last = i < Lbar ? i * M : L;
    blocks.push(range(first, last));
  }
  return blocks;
}

/** Consecutive integers `first..last` (inclusive). */
export function range(first: number, last: number): number[] {
  const out: number[] = [];
  for (let l = first; l <= last; l++) out.push(l);
  return out;
}

/**
 * Checks that `partition` is an ordered partition of `1..L` into `L̄` consecutive non-empty blocks.
 * Throws a {@link TheoryInputError} naming the first problem found.
 */
export function validatePartition(partition: readonly (readonly number[])[], L: number, Lbar: number): void {
  requireDepths(L, Lbar);
  if (!Array.isArray(partition)) throw new TheoryInputError('partition must be an array of blocks');
  if (partition.length !== Lbar) {
    throw new TheoryInputError(`partition has ${partition.length} blocks but the target has L̄=${Lbar} layers`);
  }
  let expected = 1;
  partition.forEach((block, b) => {
    const i = b + 1;
    if (!Array.isArray(block) || block.length === 0) {
      throw new TheoryInputError(`block ${i} is empty: every target layer needs at least one frozen layer`);
    }
    for (const layer of block) {
      if (typeof layer !== 'number' || !Number.isInteger(layer)) {
        throw new TheoryInputError(`block ${i} contains ${String(layer)}, which is not a layer index`);
      }
      if (layer < 1 || layer > L) {
        throw new TheoryInputError(`block ${i} contains layer ${layer}, outside 1..${L}`);
      }
      if (layer !== expected) {
        throw new TheoryInputError(
          `block ${i} has layer ${layer} where layer ${expected} was expected: blocks must be consecutive, ordered and cover 1..${L} exactly once`,
        );
      }
      expected++;
    }
  });
  if (expected !== L + 1) {
    throw new TheoryInputError(`partition covers layers 1..${expected - 1} but the frozen model has L=${L} layers`);
  }
}

/**
 * Infers `(L, L̄)` from a partition (L = its last layer) and validates it.
 * With `L` given, also checks that the partition covers exactly `1..L`.
 */
export function partitionShape(partition: readonly (readonly number[])[], L?: number): { L: number; Lbar: number } {
  if (!Array.isArray(partition) || partition.length === 0) {
    throw new TheoryInputError('partition must have at least one block');
  }
  const lastBlock = partition[partition.length - 1];
  if (!Array.isArray(lastBlock) || lastBlock.length === 0) {
    throw new TheoryInputError(`block ${partition.length} is empty: every target layer needs at least one frozen layer`);
  }
  const depth = L ?? lastBlock[lastBlock.length - 1];
  if (!Number.isInteger(depth) || depth < 1) {
    throw new TheoryInputError(`block ${partition.length} ends with ${String(depth)}, which is not a layer index`);
  }
  if (partition.length > depth) {
    throw new TheoryInputError(`partition has ${partition.length} blocks for only ${depth} frozen layers`);
  }
  validatePartition(partition, depth, partition.length);
  return { L: depth, Lbar: partition.length };
}

/** True when `partition` equals the uniform partition of its shape. */
export function isUniformPartition(partition: readonly (readonly number[])[]): boolean {
  const { L, Lbar } = partitionShape(partition);
  const M = Math.floor(L / Lbar);
  return partition.every((block, b) => block[0] === b * M + 1);
}
