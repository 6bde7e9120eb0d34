import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseHfConfig, readHfConfig, SUPPORTED_MODEL_TYPES } from '../../../../src/formats/config';
import { FormatError } from '../../../../src/formats/types';
import { tempDir, writeJsonFile } from './helpers';

/** Asserts `fn` throws a FormatError whose file is `file` and whose problem matches every pattern. */
async function rejectsWith(fn: () => Promise<unknown>, file: string, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(e instanceof FormatError, `expected FormatError, got ${String(e)}`);
    assert.equal(e.file, file);
    for (const p of patterns) assert.match(e.problem, p);
    return true;
  });
}

describe('readHfConfig: recognised model types', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  const read = async (name: string, cfg: object) => readHfConfig(await writeJsonFile(dir, `${name}.json`, cfg));

  it('llama with grouped KV heads and derived head_dim', async () => {
    const c = await read('llama', {
      model_type: 'llama', hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32,
      num_key_value_heads: 8, intermediate_size: 14336, vocab_size: 128256, torch_dtype: 'bfloat16',
    });
    assert.deepEqual(c.dims, {
      modelType: 'llama', hiddenSize: 4096, numLayers: 32, numHeads: 32, numKeyValueHeads: 8, headDim: 128,
      intermediateSize: 14336, vocabSize: 128256, usesRope: true, gatedMlp: true,
    });
    assert.equal(c.kvHeadsExplicit, true);
    assert.equal(c.storageDtype, 'BF16');
    assert.equal(c.tieWordEmbeddings, false);
    assert.equal(c.family, 'llama');
  });

  it('mistral: KV heads default to the head count when absent', async () => {
    const c = await read('mistral', {
      model_type: 'mistral', hidden_size: 256, num_hidden_layers: 3, num_attention_heads: 8, intermediate_size: 512, vocab_size: 1000,
      head_dim: null,
    });
    assert.equal(c.dims.numKeyValueHeads, 8);
    assert.equal(c.kvHeadsExplicit, false);
    assert.equal(c.dims.headDim, 32);
  });

  it('qwen2 has q/k/v biases but no o bias', async () => {
    const c = await read('qwen2', {
      model_type: 'qwen2', hidden_size: 896, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2,
      intermediate_size: 4864, vocab_size: 151936, tie_word_embeddings: true,
    });
    assert.equal(c.dims.headDim, 64);
    assert.equal(c.dims.numKeyValueHeads, 2);
    assert.deepEqual(c.biases, { qkv: true, o: false, mlp: false });
    assert.equal(c.tieWordEmbeddings, true);
  });

  it('gemma: explicit head_dim wins over hidden/heads, embeddings tied by default', async () => {
    const c = await read('gemma', {
      model_type: 'gemma', hidden_size: 2048, num_hidden_layers: 18, num_attention_heads: 8, num_key_value_heads: 1,
      head_dim: 256, intermediate_size: 16384, vocab_size: 256000,
    });
    assert.equal(c.dims.headDim, 256);
    assert.equal(c.dims.numKeyValueHeads, 1);
    assert.equal(c.tieWordEmbeddings, true);
  });

  it('phi3 uses the phi3 naming family (fused qkv and gate_up)', async () => {
    const c = await read('phi3', {
      model_type: 'phi3', hidden_size: 3072, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 32,
      intermediate_size: 8192, vocab_size: 32064,
    });
    assert.equal(c.family, 'phi3');
    assert.equal(c.dims.gatedMlp, true);
    assert.equal(c.dims.headDim, 96);
  });

  it('gpt2: n_embd/n_layer/n_head, n_inner null means 4·n_embd, no RoPE', async () => {
    const c = await read('gpt2', { model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, n_inner: null, vocab_size: 50257, n_positions: 1024 });
    assert.deepEqual(c.dims, {
      modelType: 'gpt2', hiddenSize: 768, numLayers: 12, numHeads: 12, numKeyValueHeads: 12, headDim: 64,
      intermediateSize: 3072, vocabSize: 50257, usesRope: false, gatedMlp: false,
    });
    assert.equal(c.tieWordEmbeddings, true);
    const explicit = await read('gpt2b', { model_type: 'gpt2', n_embd: 64, n_layer: 2, n_head: 4, n_inner: 100, vocab_size: 10 });
    assert.equal(explicit.dims.intermediateSize, 100);
  });

  it('gpt_neox: rotary unless rotary_pct is 0', async () => {
    const base = { model_type: 'gpt_neox', hidden_size: 512, num_hidden_layers: 6, num_attention_heads: 8, intermediate_size: 2048, vocab_size: 50304 };
    assert.equal((await read('neox', base)).dims.usesRope, true);
    assert.equal((await read('neox0', { ...base, rotary_pct: 0 })).dims.usesRope, false);
    assert.equal((await read('neox', base)).family, 'gpt_neox');
  });

  it('bert and roberta', async () => {
    const cfg = { hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, vocab_size: 30522 };
    const bert = await read('bert', { ...cfg, model_type: 'bert' });
    assert.equal(bert.dims.usesRope, false);
    assert.equal(bert.dims.gatedMlp, false);
    assert.equal(bert.family, 'bert');
    assert.equal(bert.typeVocabSize, 2);
    const roberta = await read('roberta', { ...cfg, model_type: 'roberta', vocab_size: 50265, max_position_embeddings: 514, type_vocab_size: 1 });
    assert.equal(roberta.dims.vocabSize, 50265);
    assert.equal(roberta.maxPositions, 514);
    assert.equal(roberta.family, 'bert');
  });

  it('distilbert: dim, n_layers, n_heads, hidden_dim', async () => {
    const c = await read('distil', { model_type: 'distilbert', dim: 768, n_layers: 6, n_heads: 12, hidden_dim: 3072, vocab_size: 30522 });
    assert.equal(c.dims.hiddenSize, 768);
    assert.equal(c.dims.numLayers, 6);
    assert.equal(c.dims.numHeads, 12);
    assert.equal(c.dims.intermediateSize, 3072);
    assert.equal(c.family, 'distilbert');
  });

  it('every supported type parses from a minimal config', () => {
    for (const t of SUPPORTED_MODEL_TYPES) {
      const cfg: Record<string, unknown> =
        t === 'gpt2' ? { n_embd: 64, n_layer: 2, n_head: 4, vocab_size: 10 }
          : t === 'distilbert' ? { dim: 64, n_layers: 2, n_heads: 4, hidden_dim: 128, vocab_size: 10 }
            : { hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128, vocab_size: 10 };
      const c = parseHfConfig(JSON.stringify({ model_type: t, ...cfg }), `${t}.json`);
      assert.equal(c.dims.modelType, t);
      assert.equal(c.dims.hiddenSize, 64);
      assert.equal(c.dims.numLayers, 2);
    }
  });
});

describe('readHfConfig: bad input names the file and the problem', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  const llama = { model_type: 'llama', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128, vocab_size: 10 };

  it('missing field', async () => {
    const { hidden_size: _omit, ...rest } = llama;
    const file = await writeJsonFile(dir, 'missing.json', rest);
    await rejectsWith(() => readHfConfig(file), file, /'hidden_size'/, /missing/);
  });

  it('non-numeric field', async () => {
    const file = await writeJsonFile(dir, 'nonnum.json', { ...llama, num_hidden_layers: 'two' });
    await rejectsWith(() => readHfConfig(file), file, /'num_hidden_layers'/, /must be a number/, /"two"/);
  });

  it('fractional, zero or huge fields', async () => {
    const frac = await writeJsonFile(dir, 'frac.json', { ...llama, hidden_size: 64.5 });
    await rejectsWith(() => readHfConfig(frac), frac, /'hidden_size'/, /positive whole number/);
    const zero = await writeJsonFile(dir, 'zero.json', { ...llama, num_attention_heads: 0 });
    await rejectsWith(() => readHfConfig(zero), zero, /'num_attention_heads'/);
    const huge = await writeJsonFile(dir, 'huge.json', { ...llama, num_hidden_layers: 1e9 });
    await rejectsWith(() => readHfConfig(huge), huge, /'num_hidden_layers'/, /implausibly large/);
  });

  it('hidden size not divisible by heads (no head_dim)', async () => {
    const file = await writeJsonFile(dir, 'indiv.json', { ...llama, num_attention_heads: 5 });
    await rejectsWith(() => readHfConfig(file), file, /hidden_size 64 is not divisible by num_attention_heads 5/);
  });

  it('heads not a multiple of KV heads', async () => {
    const file = await writeJsonFile(dir, 'kv.json', { ...llama, num_key_value_heads: 3 });
    await rejectsWith(() => readHfConfig(file), file, /num_key_value_heads 3/);
  });

  it('invalid JSON', async () => {
    const file = await writeJsonFile(dir, 'bad.json', '{"model_type": "llama",');
    await rejectsWith(() => readHfConfig(file), file, /invalid JSON/);
  });

  it('JSON that is not an object', async () => {
    const file = await writeJsonFile(dir, 'array.json', '[1, 2, 3]');
    await rejectsWith(() => readHfConfig(file), file, /expected a JSON object, got an array/);
    const nul = await writeJsonFile(dir, 'null.json', 'null');
    await rejectsWith(() => readHfConfig(nul), nul, /got null/);
  });

  it('unsupported model_type lists the supported ones', async () => {
    const file = await writeJsonFile(dir, 't5.json', { ...llama, model_type: 't5' });
    await rejectsWith(() => readHfConfig(file), file, /unsupported model_type 't5'/, /llama/, /gpt2/, /distilbert/);
  });

  it('missing model_type', async () => {
    const { model_type: _omit, ...rest } = llama;
    const file = await writeJsonFile(dir, 'notype.json', rest);
    await rejectsWith(() => readHfConfig(file), file, /'model_type' is missing/);
  });

  it('a file that does not exist', async () => {
    const file = path.join(dir, 'nope.json');
    await rejectsWith(() => readHfConfig(file), file, /no such file/);
  });

  it('control characters in model_type are escaped in the message', async () => {
    const file = await writeJsonFile(dir, 'ctrl.json', { ...llama, model_type: 'evil\u001b[2Jtype' });
    await rejectsWith(() => readHfConfig(file), file, /evil\\x1b\[2Jtype/);
  });
});
