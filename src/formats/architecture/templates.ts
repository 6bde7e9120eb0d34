/**
 * The modules a config describes, with the names the Hugging Face implementation gives them
 * (what PEFT's `target_modules` sees) and their `[out, in]` shapes. Used for config-only specs and
 * to cross-check a config against its weights. Task heads (pooler, classifier, MLM transform) are
 * not included: the config does not say which head a checkpoint carries.
 */
import type { HfConfig } from '../config';
import type { ModuleRole, ModuleSpec } from '../types';
import { contiguousQkvSlices, perHeadQkvSlices, type FusedSlices } from './fused';

export interface ExpectedModule {
  name: string;
  role: ModuleRole;
  layer?: number;
  /** `[out, in]` for linear maps, `[rows, cols]` for embeddings, `[n]` for norms. */
  shape: number[];
  /** Elements of the bias, 0 when there is none. */
  biasLength: number;
  transposed?: boolean;
  fusedSlices?: FusedSlices;
}

/** Every module of the model described by `config`, in forward order. */
export function expectedModules(config: HfConfig): ExpectedModule[] {
  switch (config.family) {
    case 'llama':
    case 'phi3':
      return llamaFamily(config);
    case 'gpt2':
      return gpt2Family(config);
    case 'gpt_neox':
      return gptNeoxFamily(config);
    case 'bert':
      return bertFamily(config);
    case 'distilbert':
      return distilbertFamily(config);
  }
}

const linear = (name: string, role: ModuleRole, out: number, inp: number, bias: boolean, layer?: number): ExpectedModule => ({
  name, role, layer, shape: [out, inp], biasLength: bias ? out : 0,
});
const norm = (name: string, size: number, withBias: boolean, layer?: number): ExpectedModule => ({
  name, role: 'norm', layer, shape: [size], biasLength: withBias ? size : 0,
});
const embedding = (name: string, rows: number, cols: number): ExpectedModule => ({
  name, role: 'embedding', shape: [rows, cols], biasLength: 0,
});

function llamaFamily(c: HfConfig): ExpectedModule[] {
  const { hiddenSize: d, numLayers, numHeads, numKeyValueHeads, headDim, vocabSize, intermediateSize } = c.dims;
  const inter = intermediateSize ?? 4 * d;
  const q = numHeads * headDim;
  const kv = numKeyValueHeads * headDim;
  const mods: ExpectedModule[] = [embedding('model.embed_tokens', vocabSize ?? 0, d)];
  for (let i = 0; i < numLayers; i++) {
    const p = `model.layers.${i}`;
    mods.push(norm(`${p}.input_layernorm`, d, false, i));
    if (c.family === 'phi3') {
      mods.push({ ...linear(`${p}.self_attn.qkv_proj`, 'qkv', q + 2 * kv, d, false, i), fusedSlices: contiguousQkvSlices(q, kv) });
    } else {
      mods.push(linear(`${p}.self_attn.q_proj`, 'q', q, d, c.biases.qkv, i));
      mods.push(linear(`${p}.self_attn.k_proj`, 'k', kv, d, c.biases.qkv, i));
      mods.push(linear(`${p}.self_attn.v_proj`, 'v', kv, d, c.biases.qkv, i));
      if (c.modelType === 'qwen3') {
        mods.push(norm(`${p}.self_attn.q_norm`, headDim, false, i), norm(`${p}.self_attn.k_norm`, headDim, false, i));
      }
    }
    mods.push(linear(`${p}.self_attn.o_proj`, 'o', d, q, c.biases.o, i));
    mods.push(norm(`${p}.post_attention_layernorm`, d, false, i));
    if (c.modelType === 'gemma2') {
      mods.push(norm(`${p}.pre_feedforward_layernorm`, d, false, i), norm(`${p}.post_feedforward_layernorm`, d, false, i));
    }
    if (c.family === 'phi3') {
      // Fused [gate; up]: rows 0..I-1 gate, I..2I-1 up. Reported with role 'up'.
      mods.push(linear(`${p}.mlp.gate_up_proj`, 'up', 2 * inter, d, false, i));
    } else {
      mods.push(linear(`${p}.mlp.gate_proj`, 'gate', inter, d, c.biases.mlp, i));
      mods.push(linear(`${p}.mlp.up_proj`, 'up', inter, d, c.biases.mlp, i));
    }
    mods.push(linear(`${p}.mlp.down_proj`, 'down', d, inter, c.biases.mlp, i));
  }
  mods.push(norm('model.norm', d, false));
  if (!c.tieWordEmbeddings) mods.push(linear('lm_head', 'lm_head', vocabSize ?? 0, d, false));
  return mods;
}

function gpt2Family(c: HfConfig): ExpectedModule[] {
  const { hiddenSize: d, numLayers, vocabSize, intermediateSize } = c.dims;
  const inter = intermediateSize ?? 4 * d;
  const conv = (name: string, role: ModuleRole, out: number, inp: number, layer: number): ExpectedModule => ({
    ...linear(name, role, out, inp, true, layer), transposed: true,
  });
  const mods: ExpectedModule[] = [embedding('transformer.wte', vocabSize ?? 0, d), embedding('transformer.wpe', c.maxPositions ?? 1024, d)];
  for (let i = 0; i < numLayers; i++) {
    const p = `transformer.h.${i}`;
    mods.push(norm(`${p}.ln_1`, d, true, i));
    mods.push({ ...conv(`${p}.attn.c_attn`, 'qkv', 3 * d, d, i), fusedSlices: contiguousQkvSlices(d, d) });
    mods.push(conv(`${p}.attn.c_proj`, 'o', d, d, i));
    mods.push(norm(`${p}.ln_2`, d, true, i));
    mods.push(conv(`${p}.mlp.c_fc`, 'fc_in', inter, d, i));
    mods.push(conv(`${p}.mlp.c_proj`, 'fc_out', d, inter, i));
  }
  mods.push(norm('transformer.ln_f', d, true));
  if (!c.tieWordEmbeddings) mods.push(linear('lm_head', 'lm_head', vocabSize ?? 0, d, false));
  return mods;
}

function gptNeoxFamily(c: HfConfig): ExpectedModule[] {
  const { hiddenSize: d, numLayers, numHeads, headDim, vocabSize, intermediateSize } = c.dims;
  const inter = intermediateSize ?? 4 * d;
  const mods: ExpectedModule[] = [embedding('gpt_neox.embed_in', vocabSize ?? 0, d)];
  for (let i = 0; i < numLayers; i++) {
    const p = `gpt_neox.layers.${i}`;
    mods.push(norm(`${p}.input_layernorm`, d, true, i));
    mods.push(norm(`${p}.post_attention_layernorm`, d, true, i));
    mods.push({ ...linear(`${p}.attention.query_key_value`, 'qkv', 3 * d, d, true, i), fusedSlices: perHeadQkvSlices(numHeads, headDim) });
    mods.push(linear(`${p}.attention.dense`, 'o', d, d, true, i));
    mods.push(linear(`${p}.mlp.dense_h_to_4h`, 'fc_in', inter, d, true, i));
    mods.push(linear(`${p}.mlp.dense_4h_to_h`, 'fc_out', d, inter, true, i));
  }
  mods.push(norm('gpt_neox.final_layer_norm', d, true));
  if (!c.tieWordEmbeddings) mods.push(linear('embed_out', 'lm_head', vocabSize ?? 0, d, false));
  return mods;
}

function bertFamily(c: HfConfig): ExpectedModule[] {
  const { hiddenSize: d, numLayers, vocabSize, intermediateSize } = c.dims;
  const inter = intermediateSize ?? 4 * d;
  const root = c.modelType === 'roberta' ? 'roberta' : 'bert';
  const mods: ExpectedModule[] = [
    embedding(`${root}.embeddings.word_embeddings`, vocabSize ?? 0, d),
    embedding(`${root}.embeddings.position_embeddings`, c.maxPositions ?? 512, d),
    embedding(`${root}.embeddings.token_type_embeddings`, c.typeVocabSize ?? 2, d),
    norm(`${root}.embeddings.LayerNorm`, d, true),
  ];
  for (let i = 0; i < numLayers; i++) {
    const p = `${root}.encoder.layer.${i}`;
    mods.push(linear(`${p}.attention.self.query`, 'q', d, d, true, i));
    mods.push(linear(`${p}.attention.self.key`, 'k', d, d, true, i));
    mods.push(linear(`${p}.attention.self.value`, 'v', d, d, true, i));
    mods.push(linear(`${p}.attention.output.dense`, 'o', d, d, true, i));
    mods.push(norm(`${p}.attention.output.LayerNorm`, d, true, i));
    mods.push(linear(`${p}.intermediate.dense`, 'fc_in', inter, d, true, i));
    mods.push(linear(`${p}.output.dense`, 'fc_out', d, inter, true, i));
    mods.push(norm(`${p}.output.LayerNorm`, d, true, i));
  }
  return mods;
}

function distilbertFamily(c: HfConfig): ExpectedModule[] {
  const { hiddenSize: d, numLayers, vocabSize, intermediateSize } = c.dims;
  const inter = intermediateSize ?? 4 * d;
  const mods: ExpectedModule[] = [
    embedding('distilbert.embeddings.word_embeddings', vocabSize ?? 0, d),
    embedding('distilbert.embeddings.position_embeddings', c.maxPositions ?? 512, d),
    norm('distilbert.embeddings.LayerNorm', d, true),
  ];
  for (let i = 0; i < numLayers; i++) {
    const p = `distilbert.transformer.layer.${i}`;
    mods.push(linear(`${p}.attention.q_lin`, 'q', d, d, true, i));
    mods.push(linear(`${p}.attention.k_lin`, 'k', d, d, true, i));
    mods.push(linear(`${p}.attention.v_lin`, 'v', d, d, true, i));
    mods.push(linear(`${p}.attention.out_lin`, 'o', d, d, true, i));
    mods.push(norm(`${p}.sa_layer_norm`, d, true, i));
    mods.push(linear(`${p}.ffn.lin1`, 'fc_in', inter, d, true, i));
    mods.push(linear(`${p}.ffn.lin2`, 'fc_out', d, inter, true, i));
    mods.push(norm(`${p}.output_layer_norm`, d, true, i));
  }
  return mods;
}

/** A config-only ModuleSpec (no tensors). */
export function expectedToModuleSpec(m: ExpectedModule, dtype: string): ModuleSpec {
  const spec: ModuleSpec = {
    name: m.name,
    role: m.role,
    shape: [...m.shape],
    dtype,
    parameters: m.shape.reduce((p, d) => p * d, 1) + m.biasLength,
  };
  if (m.layer !== undefined) spec.layer = m.layer;
  if (m.transposed) spec.transposed = true;
  if (m.fusedSlices) spec.fusedSlices = m.fusedSlices;
  return spec;
}
