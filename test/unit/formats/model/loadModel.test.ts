import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadModel } from '../../../../src/formats/loadModel';
import { FormatError } from '../../../../src/formats/types';
import { EXAMPLES, filled, llamaEntries, tempDir, writeJsonFile, writeModel } from './helpers';

const TINY_CONFIG = {
  model_type: 'llama', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2,
  intermediate_size: 128, vocab_size: 128, tie_word_embeddings: false,
};

describe('loadModel on the bundled examples', () => {
  it('tiny-llama-base folder: config and weights agree', async () => {
    const spec = await loadModel(path.join(EXAMPLES, 'tiny-llama-base'));
    assert.equal(spec.kind, 'transformer');
    assert.deepEqual(spec.transformer, {
      modelType: 'llama', hiddenSize: 64, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, headDim: 16,
      intermediateSize: 128, vocabSize: 128, usesRope: true, gatedMlp: true,
    });
    assert.equal(spec.modules.length, 21);
    assert.equal(spec.modules.reduce((t, m) => t + m.parameters, 0), 90432);
    const k = spec.modules.find((m) => m.name === 'model.layers.1.self_attn.k_proj');
    assert.deepEqual(k?.shape, [32, 64]);
    assert.equal(k?.dtype, 'F32');
    assert.ok(k?.weight && k.weight.analysable);
    assert.ok(spec.checkpoint);
    assert.deepEqual(spec.notes, []);
  });

  it('tiny-llama-finetuned, also through its model.safetensors file (sibling config used)', async () => {
    const spec = await loadModel(path.join(EXAMPLES, 'tiny-llama-finetuned', 'model.safetensors'));
    assert.equal(spec.transformer?.numKeyValueHeads, 2);
    assert.equal(spec.modules.filter((m) => m.role === 'q').length, 2);
  });

  it('llama-7b-config: config only, shapes without tensors, 6.74 B parameters', async () => {
    const spec = await loadModel(path.join(EXAMPLES, 'llama-7b-config'));
    assert.equal(spec.kind, 'transformer');
    assert.equal(spec.transformer?.hiddenSize, 4096);
    assert.equal(spec.modules.every((m) => m.weight === undefined), true);
    assert.equal(spec.modules.reduce((t, m) => t + m.parameters, 0), 6_738_415_616);
    assert.deepEqual(spec.modules.find((m) => m.name === 'model.layers.31.mlp.down_proj')?.shape, [4096, 11008]);
    assert.equal(spec.modules.find((m) => m.name === 'lm_head')?.dtype, 'F16');
    assert.equal(spec.checkpoint, undefined);
  });

  it('llama-7b-config/config.json given directly', async () => {
    const spec = await loadModel(path.join(EXAMPLES, 'llama-7b-config', 'config.json'));
    assert.equal(spec.modules.filter((m) => m.role === 'o').length, 32);
  });

  for (const pair of ['mlp-pair', 'mlp-pair-close']) {
    it(`${pair}: frozen and target sequential MLPs`, async () => {
      const frozen = await loadModel(path.join(EXAMPLES, pair, 'frozen.safetensors'));
      const target = await loadModel(path.join(EXAMPLES, pair, 'target.safetensors'));
      const depth = pair === 'mlp-pair' ? 4 : 6;
      assert.equal(frozen.kind, 'mlp');
      assert.deepEqual(frozen.sequentialLayers, Array.from({ length: depth }, (_, l) => String(2 * l)));
      assert.deepEqual(target.sequentialLayers, ['0', '2']);
      for (const m of [...frozen.modules, ...target.modules]) {
        assert.deepEqual(m.shape, [16, 16]);
        assert.equal(m.parameters, 16 * 16 + 16);
      }
    });
  }

  it('the adapter folder is refused with a pointer to the adapter reader', async () => {
    await assert.rejects(loadModel(path.join(EXAMPLES, 'tiny-llama-adapter')), /PEFT adapter folder/);
  });
});

describe('loadModel: config and weights together, and bad paths', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  const llamaTensors = (hidden: number, q: number, kv: number, layers = 2) =>
    llamaEntries({ hidden, q, kv, inter: 128, vocab: 128, layers }).map(([n, s]) => filled(n, s));

  it('hidden size disagreement is a FormatError naming config.json and both shapes', async () => {
    const folder = path.join(dir, 'disagree');
    const cfg = await writeJsonFile(folder, 'config.json', { ...TINY_CONFIG, hidden_size: 128, num_attention_heads: 8 });
    await writeModel(folder, 'model.safetensors', llamaTensors(64, 64, 32));
    await assert.rejects(loadModel(folder), (e: unknown) => {
      assert.ok(e instanceof FormatError);
      assert.equal(e.file, cfg);
      assert.match(e.problem, /disagrees with the weights in model\.safetensors/);
      assert.match(e.problem, /model\.layers\.0\.self_attn\.q_proj is \[64, 64\]/);
      assert.match(e.problem, /implies \[128, 128\]/);
      return true;
    });
  });

  it('layer count disagreement', async () => {
    const folder = path.join(dir, 'layers');
    await writeJsonFile(folder, 'config.json', { ...TINY_CONFIG, num_hidden_layers: 3 });
    await writeModel(folder, 'model.safetensors', llamaTensors(64, 64, 32));
    await assert.rejects(loadModel(folder), /says 3 layers \(llama\), the weights hold 2/);
  });

  it('KV-head disagreement when the config states num_key_value_heads', async () => {
    const folder = path.join(dir, 'kv');
    await writeJsonFile(folder, 'config.json', { ...TINY_CONFIG, num_key_value_heads: 4 });
    await writeModel(folder, 'model.safetensors', llamaTensors(64, 64, 32));
    await assert.rejects(loadModel(folder), /k_proj is \[32, 64\].*implies \[64, 64\]/);
  });

  it('a gpt2 config beside llama-named weights disagrees on the family', async () => {
    const folder = path.join(dir, 'family');
    await writeJsonFile(folder, 'config.json', { model_type: 'gpt2', n_embd: 64, n_layer: 2, n_head: 4, vocab_size: 128 });
    await writeModel(folder, 'model.safetensors', llamaTensors(64, 64, 64));
    await assert.rejects(loadModel(folder), /says model_type gpt2 but the tensor names are llama-style/);
  });

  it('a llama config beside a sequential MLP checkpoint disagrees', async () => {
    const folder = path.join(dir, 'mlp-with-config');
    await writeJsonFile(folder, 'config.json', TINY_CONFIG);
    await writeModel(folder, 'model.safetensors', [filled('0.weight', [4, 4])]);
    await assert.rejects(loadModel(folder), /says 2 layers \(llama\), the weights hold 0/);
  });

  it('a sharded checkpoint (index + two shards) with its config', async () => {
    const folder = path.join(dir, 'sharded');
    await writeJsonFile(folder, 'config.json', TINY_CONFIG);
    const tensors = llamaTensors(64, 64, 32);
    const first = tensors.filter((t) => !t.name.includes('layers.1.'));
    const second = tensors.filter((t) => t.name.includes('layers.1.'));
    await writeModel(folder, 'model-00001-of-00002.safetensors', first);
    await writeModel(folder, 'model-00002-of-00002.safetensors', second);
    const weightMap = Object.fromEntries([
      ...first.map((t) => [t.name, 'model-00001-of-00002.safetensors']),
      ...second.map((t) => [t.name, 'model-00002-of-00002.safetensors']),
    ]);
    await writeJsonFile(folder, 'model.safetensors.index.json', { metadata: { total_size: 0 }, weight_map: weightMap });
    const spec = await loadModel(folder);
    assert.equal(spec.checkpoint?.files.length, 2);
    assert.equal(spec.transformer?.numLayers, 2);
    assert.equal(spec.modules.length, 21);
    assert.ok(spec.modules.find((m) => m.name === 'model.layers.1.mlp.up_proj')?.weight?.file.endsWith('model-00002-of-00002.safetensors'));
  });

  it('a folder with config.json only is architecture-only', async () => {
    const folder = path.join(dir, 'config-only');
    await writeJsonFile(folder, 'config.json', TINY_CONFIG);
    const spec = await loadModel(folder);
    assert.equal(spec.modules.length, 21);
    assert.ok(spec.modules.every((m) => m.weight === undefined && m.shape.length > 0));
    assert.ok(spec.notes.some((n) => /config only/.test(n)));
  });

  it('a folder with two checkpoints and no index asks which one', async () => {
    const folder = path.join(dir, 'two');
    await writeModel(folder, 'a.safetensors', [filled('0.weight', [2, 2])]);
    await writeModel(folder, 'b.safetensors', [filled('0.weight', [2, 2])]);
    await assert.rejects(loadModel(folder), (e: unknown) => e instanceof FormatError && e.file === folder && /several checkpoints/.test(e.problem));
  });

  it('an empty folder, a missing path, an unknown extension', async () => {
    const empty = path.join(dir, 'empty');
    await fs.mkdir(empty);
    await assert.rejects(loadModel(empty), (e: unknown) => e instanceof FormatError && e.file === empty && /no config\.json and no \.safetensors/.test(e.problem));
    const missing = path.join(dir, 'missing');
    await assert.rejects(loadModel(missing), (e: unknown) => e instanceof FormatError && e.file === missing && /no such file/.test(e.problem));
    const txt = await writeJsonFile(dir, 'weights.bin', 'xx');
    await assert.rejects(loadModel(txt), (e: unknown) => e instanceof FormatError && e.file === txt && /not a \.safetensors file/.test(e.problem));
  });

  it('a corrupt safetensors file is a FormatError from the reader, not a crash', async () => {
    const folder = path.join(dir, 'corrupt');
    await fs.mkdir(folder);
    await fs.writeFile(path.join(folder, 'model.safetensors'), Buffer.from([255, 255, 255, 255, 255, 255, 255, 127, 1, 2]));
    await assert.rejects(loadModel(folder), (e: unknown) => e instanceof FormatError);
  });
});
