import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { forEachTensor, readCheckpointHeader, readTensor, writeSafetensors } from '../../../../src/formats/safetensors';
import type { TensorRef } from '../../../../src/formats/types';
import { withTempDir } from './tempDir';

/** Values chosen to exercise rounding and the special cases of every format. */
const SPECIALS = [1, -2, 1 / 3, 2 ** -24, 65520, -Infinity, NaN, -0, 3 * 2 ** -25];

/** What each value becomes in each dtype, as bit patterns worked out by hand (little-endian in the file). */
const F16_BITS = [0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00, 0xfc00, 0x7e00, 0x8000, 0x0002];
const BF16_BITS = [0x3f80, 0xc000, 0x3eab, 0x3380, 0x4780, 0xff80, 0x7fc0, 0x8000, 0x33c0];

/** The values those patterns stand for. */
const F16_VALUES = [1, -2, 0.333251953125, 2 ** -24, Infinity, -Infinity, NaN, -0, 2 ** -23];
const BF16_VALUES = [1, -2, 0.333984375, 2 ** -24, 65536, -Infinity, NaN, -0, 3 * 2 ** -25];

async function rawUint16(ref: TensorRef): Promise<number[]> {
  const handle = await fs.open(ref.file, 'r');
  try {
    const bytes = Buffer.alloc(ref.byteLength);
    await handle.read(bytes, 0, ref.byteLength, ref.byteOffset);
    return Array.from({ length: ref.byteLength / 2 }, (_, i) => bytes.readUInt16LE(i * 2));
  } finally {
    await handle.close();
  }
}

function byName(refs: TensorRef[], name: string): TensorRef {
  const ref = refs.find((r) => r.name === name);
  assert.ok(ref, `tensor ${name} missing`);
  return ref;
}

describe('writer → reader round trip', () => {
  it('keeps values, shapes, dtypes and metadata for F64, F32, F16 and BF16', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'model.safetensors');
      const matrix = Float64Array.from({ length: 12 }, (_, i) => (i - 5) / 7);
      await writeSafetensors(
        file,
        [
          { name: 'f64', dtype: 'F64', shape: [3, 4], data: matrix },
          { name: 'f32', dtype: 'F32', shape: [3, 4], data: matrix },
          { name: 'f16', dtype: 'F16', shape: [SPECIALS.length], data: Float64Array.from(SPECIALS) },
          { name: 'bf16', dtype: 'BF16', shape: [1, SPECIALS.length, 1], data: Float64Array.from(SPECIALS) },
          { name: 'scalar', dtype: 'F32', shape: [], data: new Float32Array([7]) },
          { name: 'empty', dtype: 'F16', shape: [0, 5], data: new Float32Array(0) },
        ],
        { format: 'pt', note: 'round trip' },
      );
      const header = await readCheckpointHeader(file);
      assert.equal(header.source, file);
      assert.deepEqual(header.files, [file]);
      assert.deepEqual(header.metadata, { format: 'pt', note: 'round trip' });
      assert.deepEqual(
        header.tensors.map((t) => [t.name, t.dtype, t.shape, t.analysable]),
        [
          ['f64', 'F64', [3, 4], true],
          ['f32', 'F32', [3, 4], true],
          ['scalar', 'F32', [], true],
          ['bf16', 'BF16', [1, 9, 1], true],
          ['empty', 'F16', [0, 5], true],
          ['f16', 'F16', [9], true],
        ],
      );
      assert.equal(header.totalBytes, 96 + 48 + 4 + 18 + 0 + 18);

      const f64 = await readTensor(byName(header.tensors, 'f64'));
      assert.ok(f64 instanceof Float64Array);
      assert.deepEqual([...f64], [...matrix]);

      const f32 = await readTensor(byName(header.tensors, 'f32'));
      assert.ok(f32 instanceof Float32Array);
      assert.deepEqual([...f32], [...Float32Array.from(matrix)]);
      assert.deepEqual([...(await readTensor(byName(header.tensors, 'scalar')))], [7]);
      assert.equal((await readTensor(byName(header.tensors, 'empty'))).length, 0);

      const f16Ref = byName(header.tensors, 'f16');
      assert.deepEqual(await rawUint16(f16Ref), F16_BITS);
      const f16 = await readTensor(f16Ref);
      assert.ok(f16 instanceof Float32Array);
      assert.deepEqual([...f16], F16_VALUES); // deepEqual uses Object.is: NaN and -0 are checked

      const bf16Ref = byName(header.tensors, 'bf16');
      assert.deepEqual(await rawUint16(bf16Ref), BF16_BITS);
      const bf16 = await readTensor(bf16Ref, { float64: true });
      assert.ok(bf16 instanceof Float64Array);
      assert.deepEqual([...bf16], BF16_VALUES);

      const f32as64 = await readTensor(byName(header.tensors, 'f32'), { float64: true });
      assert.ok(f32as64 instanceof Float64Array);
      assert.deepEqual([...f32as64], [...Float32Array.from(matrix)]);
    });
  });

  it('forEachTensor visits analysable tensors in file order, one at a time', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'm.safetensors');
      await writeSafetensors(file, [
        { name: 'b', dtype: 'F16', shape: [2], data: new Float32Array([1, 2]) },
        { name: 'a', dtype: 'F32', shape: [1], data: new Float32Array([3]) },
      ]);
      const header = await readCheckpointHeader(file);
      const seen: string[] = [];
      let inFlight = 0;
      await forEachTensor(header, async (ref, data) => {
        inFlight++;
        assert.equal(inFlight, 1);
        seen.push(`${ref.name}=${[...data].join(',')}`);
        await new Promise<void>((resolve) => setImmediate(resolve));
        inFlight--;
      });
      assert.deepEqual(seen, ['a=3', 'b=1,2']);
    });
  });
});
