import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readCheckpointHeader, readTensor, writeSafetensors } from '../../../../src/formats/safetensors';
import { expectFormatError, withTempDir } from './tempDir';

const SHARD1 = 'model-00001-of-00002.safetensors';
const SHARD2 = 'model-00002-of-00002.safetensors';
const INDEX = 'model.safetensors.index.json';

/** Two shards: embed + layer 0 in the first, layer 1 + head in the second. */
async function writeShards(dir: string): Promise<void> {
  await writeSafetensors(
    path.join(dir, SHARD1),
    [
      { name: 'embed.weight', dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
      { name: 'layers.0.q.weight', dtype: 'BF16', shape: [2], data: new Float32Array([0.5, -0.5]) },
    ],
    { format: 'pt', shard: 'one' },
  );
  await writeSafetensors(
    path.join(dir, SHARD2),
    [
      { name: 'layers.1.q.weight', dtype: 'F16', shape: [2], data: new Float32Array([5, 6]) },
      { name: 'lm_head.weight', dtype: 'F32', shape: [1, 2], data: new Float32Array([7, 8]) },
    ],
    { format: 'pt', shard: 'two', extra: 'x' },
  );
}

const GOOD_MAP: Record<string, string> = {
  'embed.weight': SHARD1,
  'layers.0.q.weight': SHARD1,
  'layers.1.q.weight': SHARD2,
  'lm_head.weight': SHARD2,
};

async function writeIndex(dir: string, weightMap: unknown, name = INDEX): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, JSON.stringify({ metadata: { total_size: 24 }, weight_map: weightMap }));
  return file;
}

describe('sharded checkpoints', () => {
  it('resolve the same from the folder and from the index path', async () => {
    await withTempDir(async (dir) => {
      await writeShards(dir);
      const index = await writeIndex(dir, GOOD_MAP);
      const fromIndex = await readCheckpointHeader(index);
      const fromFolder = await readCheckpointHeader(dir);
      assert.deepEqual(fromFolder, fromIndex);
      assert.equal(fromIndex.source, index);
      assert.deepEqual(fromIndex.files, [path.join(dir, SHARD1), path.join(dir, SHARD2)]);
      assert.deepEqual(
        fromIndex.tensors.map((t) => [t.name, path.basename(t.file)]),
        [
          ['embed.weight', SHARD1],
          ['layers.0.q.weight', SHARD1],
          ['lm_head.weight', SHARD2],
          ['layers.1.q.weight', SHARD2],
        ],
      );
      assert.deepEqual(fromIndex.metadata, { format: 'pt', shard: 'one', extra: 'x' });
      assert.equal(fromIndex.totalBytes, 16 + 4 + 8 + 4);
      const head = fromIndex.tensors.find((t) => t.name === 'lm_head.weight')!;
      assert.deepEqual([...(await readTensor(head))], [7, 8]);
      const q1 = fromIndex.tensors.find((t) => t.name === 'layers.1.q.weight')!;
      assert.deepEqual([...(await readTensor(q1))], [5, 6]);
    });
  });

  it('the folder prefers the index over a model.safetensors next to it', async () => {
    await withTempDir(async (dir) => {
      await writeShards(dir);
      await writeIndex(dir, GOOD_MAP);
      await writeSafetensors(path.join(dir, 'model.safetensors'), []);
      const header = await readCheckpointHeader(dir);
      assert.equal(header.source, path.join(dir, INDEX));
      assert.equal(header.tensors.length, 4);
    });
  });

  it('missing shard: names the shard and the index', async () => {
    await withTempDir(async (dir) => {
      await writeShards(dir);
      await fs.rm(path.join(dir, SHARD2));
      const index = await writeIndex(dir, GOOD_MAP);
      await expectFormatError(readCheckpointHeader(index), index, /^shard "model-00002-of-00002\.safetensors" listed in the index does not exist$/);
    });
  });

  it('a tensor present in two shards is named', async () => {
    await withTempDir(async (dir) => {
      await writeShards(dir);
      await writeSafetensors(path.join(dir, SHARD2), [
        { name: 'embed.weight', dtype: 'F32', shape: [1], data: new Float32Array([9]) },
        { name: 'layers.1.q.weight', dtype: 'F16', shape: [2], data: new Float32Array([5, 6]) },
      ]);
      const { 'lm_head.weight': _dropped, ...map } = GOOD_MAP;
      const index = await writeIndex(dir, map);
      await expectFormatError(
        readCheckpointHeader(index),
        index,
        /^tensor "embed\.weight" is in two shards: "model-00001-of-00002\.safetensors" and "model-00002-of-00002\.safetensors"$/,
      );
    });
  });

  it('the index maps a tensor to a shard that does not hold it', async () => {
    await withTempDir(async (dir) => {
      await writeShards(dir);
      const index = await writeIndex(dir, { ...GOOD_MAP, 'missing.weight': SHARD2 });
      await expectFormatError(
        readCheckpointHeader(index),
        index,
        /^index maps tensor "missing\.weight" to "model-00002-of-00002\.safetensors" but that shard does not contain it$/,
      );
    });
  });

  it('a shard holds a tensor the index maps to another shard', async () => {
    await withTempDir(async (dir) => {
      await writeShards(dir);
      const index = await writeIndex(dir, { ...GOOD_MAP, 'embed.weight': SHARD2 });
      await expectFormatError(
        readCheckpointHeader(index),
        index,
        /^index maps tensor "embed\.weight" to "model-00002-of-00002\.safetensors" but it is in shard "model-00001-of-00002\.safetensors"$/,
      );
    });
  });

  it('a shard holds a tensor the index does not list', async () => {
    await withTempDir(async (dir) => {
      await writeShards(dir);
      const { 'lm_head.weight': _dropped, ...partial } = GOOD_MAP;
      const index = await writeIndex(dir, partial);
      await expectFormatError(
        readCheckpointHeader(index),
        index,
        /^shard "model-00002-of-00002\.safetensors" holds tensor "lm_head\.weight", which the index does not list$/,
      );
    });
  });

  it('shard paths escaping the folder are rejected before anything is opened', async () => {
    await withTempDir(async (dir) => {
      const inner = path.join(dir, 'ckpt');
      await fs.mkdir(inner);
      await writeShards(dir); // real shards one level up: they must not be reachable
      for (const escape of [`../${SHARD1}`, `sub/../../${SHARD1}`, path.join(dir, SHARD1), '..']) {
        const index = await writeIndex(inner, { ...GOOD_MAP, 'embed.weight': escape });
        await expectFormatError(readCheckpointHeader(index), index, /^shard path ".*" is outside the index's folder$/);
      }
    });
  });

  it('invalid index JSON, a non-object index, a missing weight_map and a non-string shard are errors', async () => {
    await withTempDir(async (dir) => {
      const index = path.join(dir, INDEX);
      await fs.writeFile(index, '{"weight_map": {"a": "x.safetensors",}');
      await expectFormatError(readCheckpointHeader(index), index, /^index is not valid UTF-8 JSON$/);
      await fs.writeFile(index, '["weight_map"]');
      await expectFormatError(readCheckpointHeader(index), index, /^index is not a JSON object$/);
      await fs.writeFile(index, '{"metadata": {}}');
      await expectFormatError(readCheckpointHeader(index), index, /^index has no "weight_map" object$/);
      await fs.writeFile(index, '{"weight_map": {"a": 3}}');
      await expectFormatError(readCheckpointHeader(index), index, /^weight_map entry "a" is not a file name$/);
    });
  });

  it('a broken shard header is reported against the shard', async () => {
    await withTempDir(async (dir) => {
      await writeShards(dir);
      await fs.writeFile(path.join(dir, SHARD2), Buffer.alloc(5));
      const index = await writeIndex(dir, GOOD_MAP);
      await expectFormatError(readCheckpointHeader(index), path.join(dir, SHARD2), /^file is only 5 bytes/);
    });
  });
});
