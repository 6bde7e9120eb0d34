/** GPT-2: fused c_attn (q | k | v output blocks) and Conv1D storage ([in, out]) in the head gaps. */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyze } from '../../../../src/engine/analysis';
import { writeSafetensors, type TensorToWrite } from '../../../../src/formats/safetensors';
import { addRankOne, gaussian, SeededRandom, tempDir, testBackend } from './helpers';

const D = 32;
const H = 4;

function gpt2Tensors(seed: string): TensorToWrite[] {
  const rng = new SeededRandom(seed);
  const t: TensorToWrite[] = [];
  const mat = (name: string, stored: [number, number]): void => void t.push({ name, dtype: 'F32', shape: stored, data: gaussian(rng, stored[0], stored[1], 0.2) });
  const vec = (name: string, n: number): void => void t.push({ name, dtype: 'F32', shape: [n], data: new Float64Array(n).fill(0.5) });
  mat('transformer.wte.weight', [40, D]);
  mat('transformer.wpe.weight', [16, D]);
  const p = 'transformer.h.0';
  vec(`${p}.ln_1.weight`, D); vec(`${p}.ln_1.bias`, D);
  mat(`${p}.attn.c_attn.weight`, [D, 3 * D]); vec(`${p}.attn.c_attn.bias`, 3 * D);
  mat(`${p}.attn.c_proj.weight`, [D, D]); vec(`${p}.attn.c_proj.bias`, D);
  vec(`${p}.ln_2.weight`, D); vec(`${p}.ln_2.bias`, D);
  mat(`${p}.mlp.c_fc.weight`, [D, 4 * D]); vec(`${p}.mlp.c_fc.bias`, 4 * D);
  mat(`${p}.mlp.c_proj.weight`, [4 * D, D]); vec(`${p}.mlp.c_proj.bias`, D);
  vec('transformer.ln_f.weight', D); vec('transformer.ln_f.bias', D);
  return t;
}

async function writeGpt2(dir: string, tensors: TensorToWrite[]): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'gpt2', n_embd: D, n_head: H, n_layer: 1, n_positions: 16, vocab_size: 40, torch_dtype: 'float32' }));
  await writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
}

describe('GPT-2 pair: fused q/k/v and transposed Conv1D', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('gpt2');
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a rank-1 change of head 2’s query outputs and of head 1’s c_proj inputs lands on those heads', async () => {
    const base = gpt2Tensors('gpt2');
    const target = gpt2Tensors('gpt2');
    const rng = new SeededRandom('gpt2-delta');
    const get = (name: string): Float64Array => target.find((t) => t.name === name)!.data as Float64Array;
    // Stored [in, out]: the query outputs of head 2 are stored columns 16…24 of c_attn.
    addRankOne(rng, get('transformer.h.0.attn.c_attn.weight'), 3 * D, [0, D], [16, 24]);
    // c_proj's inputs from head 1 are stored rows 8…16.
    addRankOne(rng, get('transformer.h.0.attn.c_proj.weight'), D, [8, 16], [0, D]);
    await writeGpt2(path.join(dir, 'base'), base);
    await writeGpt2(path.join(dir, 'target'), target);
    const r = await analyze({ base: path.join(dir, 'base'), target: path.join(dir, 'target') }, { backend: testBackend });
    const t = r.transformer!;
    const attn = t.modules.find((m) => m.name === 'transformer.h.0.attn.c_attn')!;
    assert.deepEqual(attn.shape, [3 * D, D]);
    assert.equal(attn.deltaRank, 1);
    assert.deepEqual(t.heads.filter((h) => h.product === 'qk').map((h) => h.gap), [0, 0, 1, 0]);
    assert.deepEqual(t.heads.filter((h) => h.product === 'ov').map((h) => h.gap), [0, 1, 0, 0]);
    assert.ok(t.heads.every((h) => h.caveats.length === 0), 'GPT-2 has no RoPE');
  });
});
