import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadViewerModel } from '../../../src/extension/safetensorsViewer/loadViewerModel';
import { FormatError } from '../../../src/formats/types';
import { llamaBlock, withTempDir, writeHandFile, type HandTensor } from './files';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const TINY_LLAMA = path.join(repoRoot, 'examples', 'tiny-llama-base', 'model.safetensors');

async function expectProblem(promise: Promise<unknown>, problem: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof FormatError, `expected a FormatError, got ${String(error)}`);
    assert.match(error.problem, problem);
    assert.ok(!error.problem.includes('\n'));
    return true;
  });
}

describe('safetensors viewer: reading files', () => {
  it('the bundled tiny Llama: 21 tensors, 90,432 parameters, embeddings + 2 layers + head', async () => {
    const model = await loadViewerModel(TINY_LLAMA);
    const { size } = await fs.stat(TINY_LLAMA);
    assert.equal(model.fileName, 'model.safetensors');
    assert.equal(model.fileSize, size);
    assert.equal(model.tensorCount, 21);
    assert.equal(model.totalParameters, 90_432);
    assert.equal(model.dataBytes, 90_432 * 4);
    assert.equal(8 + model.headerBytes + model.dataBytes, size, 'length prefix + header + data = file size');
    assert.deepEqual(model.groups.map((g) => g.label), ['Embeddings', 'Layer 0', 'Layer 1', 'Head']);
    const q = model.groups[1].tensors.find((t) => t.name === 'model.layers.0.self_attn.q_proj.weight');
    assert.deepEqual(q && [q.dtype, q.shape, q.parameters, q.role], ['F32', [64, 64], 4096, 'q']);
    const k = model.groups[1].tensors.find((t) => t.name === 'model.layers.0.self_attn.k_proj.weight');
    assert.deepEqual(k?.shape, [32, 64], 'grouped-query attention: 2 KV heads of width 16');
    assert.deepEqual(model.metadata, [{ key: 'format', value: 'pt' }]);
  });

  it('a 10 GB shard opens from its header alone (sparse file: the data is never read)', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'model-00002-of-00004.safetensors');
      // 8 experts × 3 matrices of 14336 × 4096 BF16 ≈ 2.8 GB, × 4 layers: ~11.3 GB of data.
      const tensors: HandTensor[] = [];
      for (let layer = 0; layer < 4; layer++) {
        for (let e = 0; e < 8; e++) {
          for (const w of ['w1', 'w2', 'w3']) tensors.push({ name: `model.layers.${layer}.block_sparse_moe.experts.${e}.${w}.weight`, dtype: 'BF16', shape: w === 'w2' ? [4096, 14336] : [14336, 4096] });
        }
      }
      await writeHandFile(file, tensors, { format: 'pt' }, true);
      await fs.writeFile(path.join(dir, 'model.safetensors.index.json'), '{"weight_map": {}}');
      const started = process.hrtime.bigint();
      const model = await loadViewerModel(file);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(model.fileSize > 10 * 1024 ** 3);
      assert.equal(model.tensorCount, 96);
      assert.equal(model.totalParameters, 96 * 14336 * 4096);
      assert.deepEqual(model.groups.map((g) => g.label), ['Layer 0', 'Layer 1', 'Layer 2', 'Layer 3']);
      assert.match(model.notes.join(' '), /^Shard 2 of 4 of a sharded checkpoint: .*model\.safetensors\.index\.json/);
      // Reading 11 GB would take seconds even from a sparse file; the header takes milliseconds.
      assert.ok(ms < 1500, `opening took ${ms.toFixed(0)} ms`);
    });
  });

  it('thousands of tensors (512 Llama blocks, 4,608 tensors) load quickly', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'big.safetensors');
      const tensors: HandTensor[] = [];
      for (let layer = 0; layer < 512; layer++) tensors.push(...llamaBlock(layer, 'F16'));
      await writeHandFile(file, tensors, undefined, true);
      const started = process.hrtime.bigint();
      const model = await loadViewerModel(file);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.equal(model.tensorCount, 512 * 9);
      assert.equal(model.groups.length, 512);
      assert.equal(model.groups[100].label, 'Layer 100');
      assert.ok(ms < 2000, `loading ${model.tensorCount} tensors took ${ms.toFixed(0)} ms`);
    });
  });

  it('hostile names are kept verbatim in the model (escaping is the renderer\'s job)', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'hostile.safetensors');
      const names = ['<img src=x onerror=alert(1)>', 'a\u0007b', '"quotes"', '__proto__'];
      await writeHandFile(file, names.map((name) => ({ name, dtype: 'F32', shape: [1] })), { '<b>': '\u0000' });
      const model = await loadViewerModel(file);
      assert.deepEqual(model.groups.flatMap((g) => g.tensors.map((t) => t.name)).sort(), [...names].sort());
      assert.deepEqual(model.metadata, [{ key: '<b>', value: '\u0000' }]);
    });
  });

  it('bad files give one-line FormatErrors, never a crash', async () => {
    await withTempDir(async (dir) => {
      const good = path.join(dir, 'good.safetensors');
      await writeHandFile(good, llamaBlock(0));
      const bytes = await fs.readFile(good);

      const truncated = path.join(dir, 'truncated.safetensors');
      await fs.writeFile(truncated, bytes.subarray(0, bytes.length - 10));
      await expectProblem(loadViewerModel(truncated), /run past the end of the data section .*truncated file\?/);

      const lying = path.join(dir, 'lying.safetensors');
      const lyingBytes = Buffer.from(bytes);
      lyingBytes.writeBigUInt64LE(1n << 40n, 0);
      await fs.writeFile(lying, lyingBytes);
      await expectProblem(loadViewerModel(lying), /^header length 1099511627776 exceeds the file size/);

      const text = path.join(dir, 'notes.safetensors');
      await fs.writeFile(text, 'just some text, not a checkpoint');
      await expectProblem(loadViewerModel(text), /exceeds the file size|not valid/);

      const empty = path.join(dir, 'empty.safetensors');
      await fs.writeFile(empty, '');
      await expectProblem(loadViewerModel(empty), /^file is empty/);

      const folder = path.join(dir, 'folder.safetensors');
      await fs.mkdir(folder);
      await expectProblem(loadViewerModel(folder), /^is not a regular file$/);

      await expectProblem(loadViewerModel(path.join(dir, 'missing.safetensors')), /no such file/);
    });
  });
});
