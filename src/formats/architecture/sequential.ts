/**
 * Plain sequential MLPs saved from `nn.Sequential` (`0.weight`, `2.weight`, … or `net.0.weight`)
 * or from a `layers` ModuleList (`layers.0.weight`). Layer order comes from the numeric index
 * (numeric, not string, order: `10` after `9`), widths from the shapes.
 */
import type { TensorGroup } from './group';

export interface SequentialMlp {
  /** The common prefix before the index (`''`, `net`, `layers`, `model.net`…). */
  prefix: string;
  /** The linear layers in forward order. */
  layers: TensorGroup[];
  /** Index in the `nn.Sequential`/ModuleList of each layer (parallel to `layers`). */
  indices: number[];
  /** [in of layer 0, out of layer 0, out of layer 1, …] when the shapes chain. */
  widths: number[];
  /** One line per place where out of layer l ≠ in of layer l+1. */
  chainProblems: string[];
}

const INDEXED_NAME = /^(?:(.*)\.)?(\d{1,9})$/;

/**
 * Recognises a sequential MLP: every 2-D weight is named `<prefix>.<index>` with one shared prefix.
 * Returns undefined when the checkpoint is not of that shape (other 1-D tensors such as norms are allowed).
 */
export function detectSequentialMlp(groups: readonly TensorGroup[]): SequentialMlp | undefined {
  const linear = groups.filter((g) => g.weight.shape.length === 2);
  if (linear.length === 0) return undefined;
  let prefix: string | undefined;
  const indexed: { group: TensorGroup; index: number }[] = [];
  for (const g of linear) {
    const m = INDEXED_NAME.exec(g.name);
    if (!m) return undefined;
    const p = m[1] ?? '';
    if (prefix === undefined) prefix = p;
    else if (p !== prefix) return undefined;
    indexed.push({ group: g, index: Number(m[2]) });
  }
  indexed.sort((a, b) => a.index - b.index || a.group.order - b.group.order);
  const layers = indexed.map((e) => e.group);
  const chainProblems: string[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const [out] = layers[l].weight.shape;
    const nextIn = layers[l + 1].weight.shape[1];
    if (out !== nextIn) {
      chainProblems.push(
        `layer ${l + 1} (${layers[l].name}) has ${out} outputs but layer ${l + 2} (${layers[l + 1].name}) takes ${nextIn} inputs`,
      );
    }
  }
  const widths = chainProblems.length === 0 ? [layers[0].weight.shape[1], ...layers.map((g) => g.weight.shape[0])] : [];
  return { prefix: prefix ?? '', layers, indices: indexed.map((e) => e.index), widths, chainProblems };
}
