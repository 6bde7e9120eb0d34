/**
 * Transformer dimensions from the weights alone (no config.json), and the fused q/k/v slices that
 * need them. What the shapes fix exactly: hidden size, q and k/v widths (so the GQA group ratio),
 * layer count, intermediate size, vocabulary. What they do not fix: the head width; we guess it
 * from common values and say so in a note.
 */
import type { ModuleRole, ModuleSpec, TransformerDims } from '../types';
import { contiguousQkvSlices, perHeadQkvSlices, type FusedSlices } from './fused';
import type { KeyFamily } from './roles';

/** A module on its way to a ModuleSpec: role and `[out, in]` shape known. */
export interface ClassifiedModule {
  spec: ModuleSpec;
  family?: KeyFamily;
}

/** Head widths tried in order when no config says which. */
const COMMON_HEAD_DIMS = [128, 64, 256, 96, 80, 160, 112, 32, 48, 16, 8];

const TOKEN_EMBEDDING = /(?:^|\.)(?:embed_tokens|wte|word_embeddings|embed_in)$/;
const POSITION_EMBEDDING = /(?:^|\.)(?:wpe|position_embeddings|embed_positions)$/;

/** The naming family with the most specific evidence. */
export function dominantFamily(mods: readonly ClassifiedModule[]): KeyFamily | undefined {
  const seen = new Set(mods.map((m) => m.family).filter((f): f is KeyFamily => f !== undefined));
  // Phi-3 shares o_proj/down_proj with Llama; GPT-2/NeoX/BERT names never appear in Llama checkpoints.
  for (const f of ['gpt2', 'gpt_neox', 'phi3', 'distilbert', 'bert', 'llama'] as const) if (seen.has(f)) return f;
  return undefined;
}

/** The first-layer module with the given role. */
function firstOfRole(mods: readonly ClassifiedModule[], role: ModuleRole): ModuleSpec | undefined {
  let best: ModuleSpec | undefined;
  for (const m of mods) {
    if (m.spec.role !== role || m.spec.layer === undefined) continue;
    if (!best || m.spec.layer < (best.layer ?? Infinity)) best = m.spec;
  }
  return best;
}

/** Widths of the query and key/value projections, and the hidden size, from the first block. */
export function attentionWidths(mods: readonly ClassifiedModule[], family: KeyFamily | undefined):
  { hidden: number; qDim: number; kvDim: number } | undefined {
  const q = firstOfRole(mods, 'q');
  const k = firstOfRole(mods, 'k');
  const qkv = firstOfRole(mods, 'qkv');
  const o = firstOfRole(mods, 'o');
  if (q && k) return { hidden: q.shape[1], qDim: q.shape[0], kvDim: k.shape[0] };
  if (qkv) {
    const rows = qkv.shape[0];
    if (family === 'phi3' && o) {
      const qDim = o.shape[1];
      const rest = rows - qDim;
      if (rest > 0 && rest % 2 === 0) return { hidden: qkv.shape[1], qDim, kvDim: rest / 2 };
    }
    if (rows % 3 === 0) return { hidden: qkv.shape[1], qDim: rows / 3, kvDim: rows / 3 };
  }
  if (q) return { hidden: q.shape[1], qDim: q.shape[0], kvDim: q.shape[0] };
  return undefined;
}

export function guessHeadDim(qDim: number, kvDim: number): number {
  for (const c of COMMON_HEAD_DIMS) if (qDim % c === 0 && kvDim % c === 0) return c;
  return gcd(qDim, kvDim);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Highest block index among linear maps, plus one. */
export function layerCount(mods: readonly ClassifiedModule[]): number {
  let max = -1;
  for (const m of mods) if (m.spec.layer !== undefined && m.spec.role !== 'other' && m.spec.role !== 'norm') max = Math.max(max, m.spec.layer);
  return max + 1;
}

/** Dimensions from shapes alone. `notes` receives what was guessed. */
export function inferDims(mods: readonly ClassifiedModule[], notes: string[]): TransformerDims | undefined {
  const family = dominantFamily(mods);
  const widths = attentionWidths(mods, family);
  if (!widths) return undefined;
  const { hidden, qDim, kvDim } = widths;
  const headDim = guessHeadDim(qDim, kvDim);
  const gate = firstOfRole(mods, 'gate');
  const up = firstOfRole(mods, 'up');
  const fcIn = firstOfRole(mods, 'fc_in');
  const intermediate = gate?.shape[0] ?? (up ? (family === 'phi3' ? up.shape[0] / 2 : up.shape[0]) : fcIn?.shape[0]);
  const lmHead = mods.find((m) => m.spec.role === 'lm_head')?.spec;
  const tokenEmbedding = mods.find((m) => m.spec.role === 'embedding' && TOKEN_EMBEDDING.test(m.spec.name))?.spec;
  const vocab = lmHead?.shape[0] ?? tokenEmbedding?.shape[0];
  const hasPositionEmbedding = mods.some((m) => m.spec.role === 'embedding' && POSITION_EMBEDDING.test(m.spec.name));
  const modelType = family ?? 'unknown';
  notes.push(
    `no config.json: model type '${modelType}' guessed from tensor names; head width ${headDim} guessed ` +
      `(${qDim / headDim} query heads, ${kvDim / headDim} KV heads); the query/KV width ratio ${qDim}/${kvDim} is exact`,
  );
  return {
    modelType,
    hiddenSize: hidden,
    numLayers: layerCount(mods),
    numHeads: qDim / headDim,
    numKeyValueHeads: kvDim / headDim,
    headDim,
    intermediateSize: intermediate,
    vocabSize: vocab,
    usesRope: (family === 'llama' || family === 'phi3' || family === 'gpt_neox') && !hasPositionEmbedding,
    gatedMlp: gate !== undefined || family === 'phi3',
  };
}

/** q/k/v row ranges for a fused projection of the given family, or undefined when unknown. */
export function fusedSlicesFor(family: KeyFamily | undefined, rows: number, dims: TransformerDims): FusedSlices | undefined {
  const q = dims.numHeads * dims.headDim;
  const kv = dims.numKeyValueHeads * dims.headDim;
  switch (family) {
    case 'gpt2':
      return rows % 3 === 0 ? contiguousQkvSlices(rows / 3, rows / 3) : undefined;
    case 'phi3':
      return rows === q + 2 * kv ? contiguousQkvSlices(q, kv) : undefined;
    case 'gpt_neox':
      return rows === 3 * q ? perHeadQkvSlices(dims.numHeads, dims.headDim) : undefined;
    default:
      return undefined;
  }
}
