/**
 * Checkpoint tensors → modules: `X.weight` and `X.bias` become one module named `X`
 * (old BERT checkpoints say `gamma`/`beta` for LayerNorm). Any other tensor, or a bias with no
 * weight beside it, is a module of its own named by its full key.
 */
import type { TensorRef } from '../types';

export interface TensorGroup {
  /** Module name: the key without `.weight`/`.gamma` (or the full key for stand-alone tensors). */
  name: string;
  /** The main parameter (a weight, or the stand-alone tensor). */
  weight: TensorRef;
  bias?: TensorRef;
  /** Position of the main tensor in the checkpoint, for stable ordering. */
  order: number;
}

const WEIGHT_SUFFIXES = ['.weight', '.gamma'];
const BIAS_SUFFIXES = ['.bias', '.beta'];

function splitSuffix(key: string, suffixes: readonly string[]): string | undefined {
  for (const s of suffixes) if (key.length > s.length && key.endsWith(s)) return key.slice(0, -s.length);
  return undefined;
}

/** Groups tensors into modules, in checkpoint order. */
export function groupTensors(tensors: readonly TensorRef[]): TensorGroup[] {
  const byName = new Map<string, TensorGroup>();
  const pendingBiases = new Map<string, { ref: TensorRef; order: number }>();
  const groups: TensorGroup[] = [];
  const add = (g: TensorGroup): void => {
    groups.push(g);
    byName.set(g.name, g);
  };
  tensors.forEach((ref, order) => {
    const stem = splitSuffix(ref.name, WEIGHT_SUFFIXES);
    if (stem !== undefined && !byName.has(stem)) {
      add({ name: stem, weight: ref, order });
      return;
    }
    const biasStem = splitSuffix(ref.name, BIAS_SUFFIXES);
    if (biasStem !== undefined && !pendingBiases.has(biasStem)) {
      pendingBiases.set(biasStem, { ref, order });
      return;
    }
    if (!byName.has(ref.name)) add({ name: ref.name, weight: ref, order });
  });
  for (const [stem, { ref, order }] of pendingBiases) {
    const owner = byName.get(stem);
    if (owner && owner.bias === undefined && owner.weight.name !== stem) owner.bias = ref;
    else if (!byName.has(ref.name)) add({ name: ref.name, weight: ref, order });
  }
  return groups.sort((a, b) => a.order - b.order);
}

/** Number of elements of a shape (1 for a scalar). */
export function numel(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}
