import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { writeSafetensors } from '../../../../src/formats/safetensors';
import { withTempDir } from './tempDir';

/** Expected bytes, spelled out: u64 LE length, JSON padded with spaces to 8, raw LE data. */
function expectedFile(json: string, data: number[]): Buffer {
  const padded = json + ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(padded)));
  return Buffer.concat([length, Buffer.from(padded, 'utf8'), Buffer.from(data)]);
}

describe('writeSafetensors', () => {
  it('writes the reference layout byte for byte (wider dtypes first, then names; metadata first)', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'small.safetensors');
      await writeSafetensors(
        file,
        [
          { name: 'z.f16', dtype: 'F16', shape: [2], data: new Float32Array([1, -0]) },
          { name: 'b', dtype: 'F32', shape: [1, 2], data: new Float64Array([1, -2]) },
          { name: 'a', dtype: 'F32', shape: [], data: new Float32Array([0.5]) },
          { name: 'c', dtype: 'BF16', shape: [1], data: new Float32Array([1]) },
          { name: 'd', dtype: 'F64', shape: [1], data: new Float32Array([2]) },
        ],
        { version: '1', format: 'pt' },
      );
      const expected = expectedFile(
        '{"__metadata__":{"format":"pt","version":"1"},' +
          '"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},' +
          '"a":{"dtype":"F32","shape":[],"data_offsets":[8,12]},' +
          '"b":{"dtype":"F32","shape":[1,2],"data_offsets":[12,20]},' +
          '"c":{"dtype":"BF16","shape":[1],"data_offsets":[20,22]},' +
          '"z.f16":{"dtype":"F16","shape":[2],"data_offsets":[22,26]}}',
        [
          0, 0, 0, 0, 0, 0, 0x00, 0x40, // 2.0 as F64
          0, 0, 0x00, 0x3f, // 0.5 as F32
          0, 0, 0x80, 0x3f, 0, 0, 0x00, 0xc0, // 1, -2 as F32
          0x80, 0x3f, // 1 as BF16
          0x00, 0x3c, 0x00, 0x80, // 1, -0 as F16
        ],
      );
      assert.deepEqual(await fs.readFile(file), expected);
    });
  });

  it('omits __metadata__ when none is given and writes an empty checkpoint', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'empty.safetensors');
      await writeSafetensors(file, []);
      assert.deepEqual(await fs.readFile(file), expectedFile('{}', []));
    });
  });

  it('is deterministic: input order does not matter', async () => {
    await withTempDir(async (dir) => {
      const t1 = { name: 'x', dtype: 'F16' as const, shape: [3], data: new Float32Array([1, 2, 3]) };
      const t2 = { name: 'y', dtype: 'F16' as const, shape: [1], data: new Float32Array([4]) };
      await writeSafetensors(path.join(dir, '1.safetensors'), [t1, t2], { b: '2', a: '1' });
      await writeSafetensors(path.join(dir, '2.safetensors'), [t2, t1], { a: '1', b: '2' });
      assert.deepEqual(await fs.readFile(path.join(dir, '1.safetensors')), await fs.readFile(path.join(dir, '2.safetensors')));
    });
  });

  it('replaces an existing file and leaves no temporary file behind', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'a.safetensors');
      await fs.writeFile(file, 'old');
      await writeSafetensors(file, [{ name: 'w', dtype: 'F32', shape: [1], data: new Float32Array([1]) }]);
      assert.deepEqual(await fs.readdir(dir), ['a.safetensors']);
      assert.notEqual((await fs.readFile(file)).toString(), 'old');
    });
  });

  it('rejects bad input without writing anything', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'bad.safetensors');
      const one = new Float32Array([1]);
      await assert.rejects(
        writeSafetensors(file, [{ name: 'w', dtype: 'F32', shape: [2], data: one }]),
        /"w" has shape \[2\] \(2 elements\) but 1 values/,
      );
      await assert.rejects(
        writeSafetensors(file, [
          { name: 'w', dtype: 'F32', shape: [1], data: one },
          { name: 'w', dtype: 'F16', shape: [1], data: one },
        ]),
        /"w" is given twice/,
      );
      await assert.rejects(
        writeSafetensors(file, [{ name: '__metadata__', dtype: 'F32', shape: [1], data: one }]),
        /reserved name/,
      );
      await assert.rejects(
        writeSafetensors(file, [{ name: 'w', dtype: 'F32', shape: [-1], data: one }]),
        /invalid shape/,
      );
      assert.deepEqual(await fs.readdir(dir), []);
    });
  });
});
