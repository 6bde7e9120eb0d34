/**
 * Tensors of one safetensors file → the viewer's groups: embeddings, one group per block of each
 * layer stack (`model.layers.3.`, `h.3.`, or a bare leading index `3.` for `nn.Sequential`), the head
 * (output projection and final norm), and everything else. Works on names alone, so a shard without
 * its config groups the same way. Pure: no I/O, no `vscode`.
 */
import { classifyModuleName } from '../../formats/architecture/roles';
import type { TensorRef } from '../../formats/types';
import type { SafetensorsViewerGroup, SafetensorsViewerTensor } from '../../protocol';

/** Block index after a known stack name (`layers.3.`, `h.3.`, `blocks.3.`): the architecture reader's rule. */
const NAMED_STACK_INDEX = /(?:^|\.)(?:layers|layer|h|blocks|block)\.(\d{1,9})(?=\.|$)/;
/** Fallback: the first purely numeric segment of the key (`0.weight`, `encoder.3.conv.weight`). */
const ANY_NUMERIC_SEGMENT = /(?:^|\.)(\d{1,9})(?=\.|$)/;
const WEIGHT_SUFFIXES = ['.weight', '.gamma'];
const BIAS_SUFFIXES = ['.bias', '.beta'];
/** Keys of embedding-side tensors that the role rules do not name (BERT's embeddings.LayerNorm, …). */
/** PEFT LoRA factors: `….q_proj.lora_A` or `….lora_A.default` (and the embedding variant). */
const LORA_FACTOR = /\.lora_(?:embedding_)?([AB])(?:\.[A-Za-z0-9_-]+)?$/;
const EMBEDDING_HINT = /(?:^|\.)(?:embeddings?|embed_[a-z_]+|wte|wpe)(?:\.|$)/;

/** Where a key sits in a layer stack: `stack` is the prefix before the index, e.g. `model.layers.`. */
export interface StackPosition {
  stack: string;
  index: number;
  /** `stack` + index + `.` (or just the key when the index is its last segment). */
  prefix: string;
}

/** The block a key belongs to, or undefined when it has no numeric segment. */
export function stackPosition(name: string): StackPosition | undefined {
  const match = NAMED_STACK_INDEX.exec(name) ?? ANY_NUMERIC_SEGMENT.exec(name);
  if (!match) return undefined;
  const digits = match[1];
  const indexStart = match.index + match[0].length - digits.length;
  const indexEnd = indexStart + digits.length;
  const stack = name.slice(0, indexStart);
  const prefix = name.slice(0, Math.min(name.length, indexEnd + 1));
  return { stack, index: Number(digits), prefix };
}

function stemOf(name: string, suffixes: readonly string[]): string | undefined {
  for (const s of suffixes) if (name.length > s.length && name.endsWith(s)) return name.slice(0, -s.length);
  return undefined;
}

/**
 * Role of every tensor, from the architecture reader's name rules. A bias takes the role of the
 * weight beside it (the rules want a 2-D weight for linear roles). 'other' becomes undefined.
 */
export function tensorRoles(tensors: readonly TensorRef[]): (string | undefined)[] {
  const weightRoles = new Map<string, string>();
  const roles: (string | undefined)[] = tensors.map((t) => {
    const stem = stemOf(t.name, WEIGHT_SUFFIXES) ?? t.name;
    const lora = LORA_FACTOR.exec(stem);
    // A PEFT factor takes the role of the module it adapts: `q_proj.lora_A` → "q·A".
    const role = lora
      ? classifyModuleName(stem.slice(0, lora.index), 2).role
      : classifyModuleName(stem, t.shape.length).role;
    if (role === 'other') return undefined;
    const shown = lora ? `${role}·${lora[1]}` : role;
    weightRoles.set(stem, shown);
    return shown;
  });
  tensors.forEach((t, i) => {
    const biasStem = stemOf(t.name, BIAS_SUFFIXES);
    if (roles[i] === undefined && biasStem !== undefined) roles[i] = weightRoles.get(biasStem);
  });
  return roles;
}

/** Number of elements of a shape (1 for a scalar). Safe: the reader checked shape × dtype = byte length. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

export function toViewerTensor(ref: TensorRef, role: string | undefined): SafetensorsViewerTensor {
  const tensor: SafetensorsViewerTensor = {
    name: ref.name,
    dtype: ref.dtype,
    shape: [...ref.shape],
    parameters: elementCount(ref.shape),
    bytes: ref.byteLength,
    analysable: ref.analysable,
  };
  if (role !== undefined) tensor.role = role;
  if (ref.reason !== undefined) tensor.reason = ref.reason;
  return tensor;
}

/** Numeric-aware name order: `layers.2` before `layers.10`; independent of the user's locale. */
const byName = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' }).compare;

function finishGroup(
  id: string, kind: SafetensorsViewerGroup['kind'], label: string, prefix: string,
  tensors: SafetensorsViewerTensor[], layer?: number,
): SafetensorsViewerGroup {
  tensors.sort((a, b) => byName(a.name, b.name));
  const bytesByDtype = new Map<string, number>();
  let parameters = 0;
  let bytes = 0;
  for (const t of tensors) {
    parameters += t.parameters;
    bytes += t.bytes;
    bytesByDtype.set(t.dtype, (bytesByDtype.get(t.dtype) ?? 0) + t.bytes);
  }
  const dtypes = [...bytesByDtype].sort((a, b) => b[1] - a[1] || byName(a[0], b[0])).map(([d]) => d);
  const group: SafetensorsViewerGroup = { id, kind, label, prefix, tensors, parameters, bytes, dtypes };
  if (layer !== undefined) group.layer = layer;
  return group;
}

/** Longest common dotted prefix (ending with `.`) of the names, or ''. */
function commonDottedPrefix(names: readonly string[]): string {
  if (names.length < 2) return '';
  let prefix = names[0];
  for (const n of names) {
    let i = 0;
    while (i < prefix.length && i < n.length && prefix[i] === n[i]) i++;
    prefix = prefix.slice(0, i);
  }
  const cut = prefix.lastIndexOf('.');
  return cut < 0 ? '' : prefix.slice(0, cut + 1);
}

/**
 * Groups the tensors of one file for display.
 * Order: embeddings, then each layer stack (first appearance) block by block, then head, then other.
 * Within a group tensors are sorted by name, numbers compared as numbers.
 */
export function groupForViewer(tensors: readonly TensorRef[]): SafetensorsViewerGroup[] {
  const roles = tensorRoles(tensors);
  const embeddings: SafetensorsViewerTensor[] = [];
  const head: SafetensorsViewerTensor[] = [];
  const other: SafetensorsViewerTensor[] = [];
  /** stack → index → tensors, in first-appearance order of the stacks. */
  const stacks = new Map<string, Map<number, { prefix: string; tensors: SafetensorsViewerTensor[] }>>();

  tensors.forEach((ref, i) => {
    const tensor = toViewerTensor(ref, roles[i]);
    const position = stackPosition(ref.name);
    if (position) {
      let blocks = stacks.get(position.stack);
      if (!blocks) stacks.set(position.stack, (blocks = new Map()));
      let block = blocks.get(position.index);
      if (!block) blocks.set(position.index, (block = { prefix: position.prefix, tensors: [] }));
      block.tensors.push(tensor);
      return;
    }
    const role = roles[i];
    if (role === 'embedding' || EMBEDDING_HINT.test(ref.name)) embeddings.push(tensor);
    else if (role === 'lm_head' || role === 'norm') head.push(tensor);
    else other.push(tensor);
  });

  const groups: SafetensorsViewerGroup[] = [];
  if (embeddings.length) groups.push(finishGroup('embeddings', 'embeddings', 'Embeddings', commonDottedPrefix(embeddings.map((t) => t.name)), embeddings));
  for (const [stack, blocks] of stacks) {
    for (const index of [...blocks.keys()].sort((a, b) => a - b)) {
      const block = blocks.get(index)!;
      groups.push(finishGroup(`layer:${stack}${index}`, 'layer', `Layer ${index}`, block.prefix, block.tensors, index));
    }
  }
  if (head.length) groups.push(finishGroup('head', 'head', 'Head', commonDottedPrefix(head.map((t) => t.name)), head));
  if (other.length) groups.push(finishGroup('other', 'other', 'Other', commonDottedPrefix(other.map((t) => t.name)), other));
  return groups;
}
