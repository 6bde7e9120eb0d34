import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCheckpoint } from '../../../../src/formats/architecture';
import { classifyModuleName } from '../../../../src/formats/architecture/roles';
import { hfConfigFromObject } from '../../../../src/formats/config';
import type { ModuleSpec } from '../../../../src/formats/types';
import { llamaEntries, syntheticHeader } from './helpers';

const byName = (mods: readonly ModuleSpec[]): Map<string, ModuleSpec> => new Map(mods.map((m) => [m.name, m]));

describe('role mapping per architecture family', () => {
  it('llama / mistral / qwen2 / gemma names', () => {
    const d = describeCheckpoint(syntheticHeader(llamaEntries({ hidden: 32, q: 32, kv: 16, inter: 64, vocab: 50, layers: 2 })));
    const m = byName(d.modules);
    assert.equal(d.kind, 'transformer');
    const expect: [string, string, number | undefined][] = [
      ['model.embed_tokens', 'embedding', undefined],
      ['model.layers.1.self_attn.q_proj', 'q', 1],
      ['model.layers.1.self_attn.k_proj', 'k', 1],
      ['model.layers.1.self_attn.v_proj', 'v', 1],
      ['model.layers.0.self_attn.o_proj', 'o', 0],
      ['model.layers.0.mlp.gate_proj', 'gate', 0],
      ['model.layers.0.mlp.up_proj', 'up', 0],
      ['model.layers.0.mlp.down_proj', 'down', 0],
      ['model.layers.0.input_layernorm', 'norm', 0],
      ['model.norm', 'norm', undefined],
      ['lm_head', 'lm_head', undefined],
    ];
    for (const [name, role, layer] of expect) {
      assert.equal(m.get(name)?.role, role, name);
      assert.equal(m.get(name)?.layer, layer, name);
    }
    assert.deepEqual(m.get('model.layers.0.mlp.down_proj')?.shape, [32, 64]);
    assert.equal(d.transformer?.gatedMlp, true);
    assert.equal(d.transformer?.usesRope, true);
  });

  it('phi3 fused qkv_proj gets q/k/v slices from the config; gate_up_proj is role up', () => {
    const config = hfConfigFromObject({
      model_type: 'phi3', hidden_size: 64, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2,
      intermediate_size: 96, vocab_size: 10,
    }, 'phi3/config.json');
    const header = syntheticHeader([
      ['model.embed_tokens.weight', [10, 64]],
      ['model.layers.0.self_attn.qkv_proj.weight', [64 + 2 * 32, 64]],
      ['model.layers.0.self_attn.o_proj.weight', [64, 64]],
      ['model.layers.0.mlp.gate_up_proj.weight', [192, 64]],
      ['model.layers.0.mlp.down_proj.weight', [64, 96]],
      ['model.layers.0.input_layernorm.weight', [64]],
      ['model.layers.0.post_attention_layernorm.weight', [64]],
      ['model.norm.weight', [64]],
      ['lm_head.weight', [10, 64]],
    ]);
    const d = describeCheckpoint(header, config);
    const m = byName(d.modules);
    const qkv = m.get('model.layers.0.self_attn.qkv_proj');
    assert.equal(qkv?.role, 'qkv');
    assert.deepEqual(qkv?.fusedSlices, [
      { role: 'q', rows: [0, 64] }, { role: 'k', rows: [64, 96] }, { role: 'v', rows: [96, 128] },
    ]);
    assert.equal(m.get('model.layers.0.mlp.gate_up_proj')?.role, 'up');
    assert.ok(d.notes.some((n) => /gate_up_proj fuses gate/.test(n)));
  });

  it('gpt2 Conv1D: c_attn is stored (in, out), reported [out, in], transposed, with q/k/v slices', () => {
    const D = 48;
    const entries: [string, number[]][] = [['wte.weight', [100, D]], ['wpe.weight', [64, D]]];
    for (let i = 0; i < 2; i++) {
      entries.push(
        [`h.${i}.ln_1.weight`, [D]], [`h.${i}.ln_1.bias`, [D]],
        [`h.${i}.attn.c_attn.weight`, [D, 3 * D]], [`h.${i}.attn.c_attn.bias`, [3 * D]],
        [`h.${i}.attn.c_proj.weight`, [D, D]], [`h.${i}.attn.c_proj.bias`, [D]],
        [`h.${i}.attn.bias`, [1, 1, 64, 64]],
        [`h.${i}.ln_2.weight`, [D]], [`h.${i}.ln_2.bias`, [D]],
        [`h.${i}.mlp.c_fc.weight`, [D, 4 * D]], [`h.${i}.mlp.c_fc.bias`, [4 * D]],
        [`h.${i}.mlp.c_proj.weight`, [4 * D, D]], [`h.${i}.mlp.c_proj.bias`, [D]],
      );
    }
    entries.push(['ln_f.weight', [D]], ['ln_f.bias', [D]]);
    const d = describeCheckpoint(syntheticHeader(entries));
    const m = byName(d.modules);
    const cAttn = m.get('h.1.attn.c_attn');
    assert.equal(cAttn?.role, 'qkv');
    assert.equal(cAttn?.transposed, true);
    assert.deepEqual(cAttn?.shape, [3 * D, D]);
    assert.deepEqual(cAttn?.weight?.shape, [D, 3 * D], 'the stored shape is kept on the TensorRef');
    assert.deepEqual(cAttn?.fusedSlices, [
      { role: 'q', rows: [0, D] }, { role: 'k', rows: [D, 2 * D] }, { role: 'v', rows: [2 * D, 3 * D] },
    ]);
    assert.equal(cAttn?.parameters, D * 3 * D + 3 * D);
    assert.equal(m.get('h.0.attn.c_proj')?.role, 'o');
    assert.equal(m.get('h.0.mlp.c_fc')?.role, 'fc_in');
    assert.deepEqual(m.get('h.0.mlp.c_fc')?.shape, [4 * D, D]);
    assert.equal(m.get('h.0.mlp.c_proj')?.role, 'fc_out');
    assert.deepEqual(m.get('h.0.mlp.c_proj')?.shape, [D, 4 * D]);
    assert.equal(m.get('h.0.mlp.c_proj')?.transposed, true);
    assert.equal(m.get('wte')?.role, 'embedding');
    assert.equal(m.get('ln_f')?.role, 'norm');
    assert.equal(m.get('h.0.attn.bias')?.role, 'other', 'the causal-mask buffer is not a bias of anything');
    assert.equal(d.transformer?.hiddenSize, D);
    assert.equal(d.transformer?.usesRope, false);
    assert.equal(d.transformer?.intermediateSize, 4 * D);
  });

  it('gpt_neox query_key_value is split per head (interleaved layout)', () => {
    const config = hfConfigFromObject({
      model_type: 'gpt_neox', hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 128, vocab_size: 10,
    }, 'neox/config.json');
    const header = syntheticHeader([
      ['gpt_neox.embed_in.weight', [10, 32]],
      ['gpt_neox.layers.0.input_layernorm.weight', [32]],
      ['gpt_neox.layers.0.attention.query_key_value.weight', [96, 32]],
      ['gpt_neox.layers.0.attention.query_key_value.bias', [96]],
      ['gpt_neox.layers.0.attention.dense.weight', [32, 32]],
      ['gpt_neox.layers.0.mlp.dense_h_to_4h.weight', [128, 32]],
      ['gpt_neox.layers.0.mlp.dense_4h_to_h.weight', [32, 128]],
      ['gpt_neox.final_layer_norm.weight', [32]],
      ['embed_out.weight', [10, 32]],
    ]);
    const m = byName(describeCheckpoint(header, config).modules);
    const qkv = m.get('gpt_neox.layers.0.attention.query_key_value');
    assert.equal(qkv?.role, 'qkv');
    assert.deepEqual(qkv?.fusedSlices, [
      { role: 'q', rows: [0, 16] }, { role: 'k', rows: [16, 32] }, { role: 'v', rows: [32, 48] },
      { role: 'q', rows: [48, 64] }, { role: 'k', rows: [64, 80] }, { role: 'v', rows: [80, 96] },
    ]);
    assert.equal(m.get('gpt_neox.layers.0.attention.dense')?.role, 'o');
    assert.equal(m.get('gpt_neox.layers.0.mlp.dense_h_to_4h')?.role, 'fc_in');
    assert.equal(m.get('gpt_neox.layers.0.mlp.dense_4h_to_h')?.role, 'fc_out');
    assert.equal(m.get('embed_out')?.role, 'lm_head');
  });

  it('bert / roberta names, including attention.output.dense vs output.dense', () => {
    for (const root of ['bert', 'roberta']) {
      const p = `${root}.encoder.layer.3`;
      const header = syntheticHeader([
        [`${root}.embeddings.word_embeddings.weight`, [30, 16]],
        [`${root}.embeddings.position_embeddings.weight`, [20, 16]],
        [`${root}.embeddings.LayerNorm.gamma`, [16]],
        [`${root}.embeddings.LayerNorm.beta`, [16]],
        [`${p}.attention.self.query.weight`, [16, 16]],
        [`${p}.attention.self.key.weight`, [16, 16]],
        [`${p}.attention.self.value.weight`, [16, 16]],
        [`${p}.attention.output.dense.weight`, [16, 16]],
        [`${p}.attention.output.LayerNorm.weight`, [16]],
        [`${p}.intermediate.dense.weight`, [64, 16]],
        [`${p}.output.dense.weight`, [16, 64]],
        [`${p}.output.dense.bias`, [16]],
        [`${p}.output.LayerNorm.weight`, [16]],
        [`${root}.pooler.dense.weight`, [16, 16]],
      ]);
      const m = byName(describeCheckpoint(header).modules);
      assert.equal(m.get(`${p}.attention.self.query`)?.role, 'q');
      assert.equal(m.get(`${p}.attention.self.key`)?.role, 'k');
      assert.equal(m.get(`${p}.attention.self.value`)?.role, 'v');
      assert.equal(m.get(`${p}.attention.output.dense`)?.role, 'o');
      assert.equal(m.get(`${p}.intermediate.dense`)?.role, 'fc_in');
      assert.equal(m.get(`${p}.output.dense`)?.role, 'fc_out');
      assert.equal(m.get(`${p}.output.dense`)?.parameters, 16 * 64 + 16);
      assert.equal(m.get(`${p}.output.LayerNorm`)?.role, 'norm');
      assert.equal(m.get(`${p}.output.dense`)?.layer, 3);
      assert.equal(m.get(`${root}.embeddings.LayerNorm`)?.role, 'norm', 'gamma/beta are a norm weight and bias');
      assert.equal(m.get(`${root}.embeddings.LayerNorm`)?.parameters, 32);
      assert.equal(m.get(`${root}.embeddings.word_embeddings`)?.role, 'embedding');
      assert.equal(m.get(`${root}.pooler.dense`)?.role, 'linear');
    }
  });

  it('distilbert q_lin / k_lin / v_lin / out_lin / ffn.lin1 / ffn.lin2', () => {
    const p = 'distilbert.transformer.layer.0';
    const header = syntheticHeader([
      [`${p}.attention.q_lin.weight`, [16, 16]],
      [`${p}.attention.k_lin.weight`, [16, 16]],
      [`${p}.attention.v_lin.weight`, [16, 16]],
      [`${p}.attention.out_lin.weight`, [16, 16]],
      [`${p}.sa_layer_norm.weight`, [16]],
      [`${p}.ffn.lin1.weight`, [64, 16]],
      [`${p}.ffn.lin2.weight`, [16, 64]],
      [`${p}.output_layer_norm.weight`, [16]],
      ['vocab_projector.weight', [30, 16]],
    ]);
    const m = byName(describeCheckpoint(header).modules);
    assert.deepEqual(
      ['q_lin', 'k_lin', 'v_lin', 'out_lin'].map((n) => m.get(`${p}.attention.${n}`)?.role),
      ['q', 'k', 'v', 'o'],
    );
    assert.equal(m.get(`${p}.ffn.lin1`)?.role, 'fc_in');
    assert.equal(m.get(`${p}.ffn.lin2`)?.role, 'fc_out');
    assert.equal(m.get(`${p}.sa_layer_norm`)?.role, 'norm');
    assert.equal(m.get('vocab_projector')?.role, 'lm_head');
  });

  it('unknown keys become role other, never an exception', () => {
    const header = syntheticHeader([
      ['model.layers.0.self_attn.q_proj.weight', [8, 8]],
      ['model.layers.0.self_attn.k_proj.weight', [8, 8]],
      ['model.layers.0.weird_thing.weight', [8, 8]],
      ['model.layers.0.self_attn.rotary_emb.inv_freq', [4]],
      ['some\u0000odd key', [3]],
      ['', [1]],
      ['model.layers.0.self_attn.q_proj.bias', [8]],
    ]);
    const d = describeCheckpoint(header);
    const m = byName(d.modules);
    assert.equal(m.get('model.layers.0.weird_thing')?.role, 'other');
    assert.equal(m.get('model.layers.0.self_attn.rotary_emb.inv_freq')?.role, 'other');
    assert.equal(m.get('some\u0000odd key')?.role, 'other');
    assert.equal(m.get('')?.role, 'other');
    assert.ok(m.get('model.layers.0.self_attn.q_proj')?.bias, 'bias attached to its weight');
    assert.ok(d.notes.some((n) => /no known role/.test(n)));
  });

  it('a weight with the wrong number of dimensions for its role is other', () => {
    assert.equal(classifyModuleName('model.layers.0.self_attn.q_proj', 1).role, 'other');
    assert.equal(classifyModuleName('model.norm', 2).role, 'other');
    assert.equal(classifyModuleName('model.layers.12.mlp.up_proj', 2).layer, 12);
  });

  it('unanalysable dtypes are listed in the notes', () => {
    const d = describeCheckpoint(syntheticHeader([
      ['model.layers.0.self_attn.q_proj.weight', [8, 8], 'I8'],
      ['model.layers.0.self_attn.k_proj.weight', [8, 8]],
    ]));
    assert.ok(d.notes.some((n) => /I8 cannot be analysed: model\.layers\.0\.self_attn\.q_proj/.test(n)), d.notes.join('\n'));
  });

  it('modules come out in block order, numerically (layer 10 after layer 9)', () => {
    const entries = llamaEntries({ hidden: 8, q: 8, kv: 8, inter: 16, vocab: 5, layers: 12 });
    // String-sorted, as a Python writer would store them.
    entries.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const d = describeCheckpoint(syntheticHeader(entries));
    const layers = d.modules.filter((m) => m.role === 'q').map((m) => m.layer);
    assert.deepEqual(layers, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.equal(d.transformer?.numLayers, 12);
  });
});

describe('grouped KV heads', () => {
  const entries = llamaEntries({ hidden: 64, q: 64, kv: 16, inter: 128, vocab: 20, layers: 2 });
  const cfg = {
    model_type: 'llama', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 8, intermediate_size: 128, vocab_size: 20,
  };

  it('from the config when it states num_key_value_heads', () => {
    const d = describeCheckpoint(syntheticHeader(entries), hfConfigFromObject({ ...cfg, num_key_value_heads: 2 }, 'c.json'));
    assert.equal(d.transformer?.numHeads, 8);
    assert.equal(d.transformer?.numKeyValueHeads, 2);
    assert.equal(d.transformer?.headDim, 8);
  });

  it('inferred from k_proj rows / head_dim when the config omits it', () => {
    const d = describeCheckpoint(syntheticHeader(entries), hfConfigFromObject(cfg, 'c.json'));
    assert.equal(d.transformer?.numKeyValueHeads, 2, 'k_proj has 16 rows, head_dim 8');
    assert.ok(d.notes.some((n) => /no num_key_value_heads; the weights give 2 KV heads/.test(n)), d.notes.join('\n'));
  });

  it('without a config: the q/KV ratio is exact, the head width a stated guess', () => {
    const d = describeCheckpoint(syntheticHeader(llamaEntries({ hidden: 512, q: 512, kv: 128, inter: 1024, vocab: 20, layers: 1 })));
    const t = d.transformer;
    assert.ok(t);
    assert.equal(t.headDim, 128);
    assert.equal(t.numHeads, 4);
    assert.equal(t.numKeyValueHeads, 1);
    assert.equal(t.numHeads / t.numKeyValueHeads, 512 / 128);
    assert.equal(t.intermediateSize, 1024);
    assert.equal(t.vocabSize, 20);
    assert.ok(d.notes.some((n) => /no config\.json/.test(n) && /guessed/.test(n)));
  });
});
