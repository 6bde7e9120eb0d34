import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { forEachTensor, readCheckpointHeader, writeSafetensors, type ForEachTensorOptions } from '../../../../src/formats/safetensors';
import { decodeBFloat16, decodeFloat16 } from '../../../../src/formats/safetensors/halfFloat';
import type { CheckpointHeader } from '../../../../src/formats/types';
import { handMadeFile, withTempDir } from './tempDir';

type Floats = Float32Array | Float64Array;

/** Values that exercise rounding and the special cases of every format. */
const SPECIALS = Float64Array.from([1, -2, 1 / 3, 2 ** -24, 65520, -Infinity, NaN, -0, 3 * 2 ** -25]);

/** 4.4 MB of F16/BF16: more than one 4 MB conversion chunk; 8.8 MB of F32: more than one 8 MB read step. */
const HALF_ELEMENTS = 2_200_000;
const F32_ELEMENTS = 2_200_000;

/** Every tensor's name and a copy of its values (copies, because reused views are overwritten). */
async function collect(header: CheckpointHeader, opts: ForEachTensorOptions): Promise<Array<[string, Floats]>> {
  const seen: Array<[string, Floats]> = [];
  await forEachTensor(header, (ref, data) => void seen.push([ref.name, data.slice()]), opts);
  return seen;
}

/** Element-wise identity (NaN equals NaN, -0 differs from 0) and the same array type. */
function assertSameValues(actual: Floats, expected: Floats, what: string): void {
  assert.equal(actual.constructor, expected.constructor, `${what}: array type`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what} element ${i}: ${actual[i]} instead of ${expected[i]}`);
  }
}

async function assertModesAgree(header: CheckpointHeader, float64: boolean): Promise<Array<[string, Floats]>> {
  const fresh = await collect(header, { float64 });
  const reused = await collect(header, { float64, reuseBuffer: true });
  assert.deepEqual(reused.map(([name]) => name), fresh.map(([name]) => name));
  for (let t = 0; t < fresh.length; t++) {
    assertSameValues(reused[t]![1], fresh[t]![1], `${fresh[t]![0]} (float64 ${float64})`);
  }
  return reused;
}

/** A hand-made file with large F16, BF16 and F32 tensors; returns the patterns used. */
async function writeLargeFile(file: string): Promise<Uint16Array> {
  const patterns = new Uint16Array(HALF_ELEMENTS);
  for (let i = 0; i < patterns.length; i++) patterns[i] = (i * 40503) & 0xffff;
  const f32 = new Float32Array(F32_ELEMENTS);
  for (let i = 0; i < f32.length; i++) f32[i] = i - 0.5;
  const half = HALF_ELEMENTS * 2;
  const json =
    `{"h":{"dtype":"F16","shape":[${HALF_ELEMENTS}],"data_offsets":[0,${half}]},` +
    `"b":{"dtype":"BF16","shape":[${HALF_ELEMENTS}],"data_offsets":[${half},${2 * half}]},` +
    `"f":{"dtype":"F32","shape":[${F32_ELEMENTS}],"data_offsets":[${2 * half},${2 * half + 4 * F32_ELEMENTS}]}}`;
  const data = Buffer.concat([Buffer.from(patterns.buffer), Buffer.from(patterns.buffer), Buffer.from(f32.buffer)]);
  await fs.writeFile(file, handMadeFile(json, data));
  return patterns;
}

describe('forEachTensor with reuseBuffer', () => {
  it('gives the same values as the default mode for F64, F32, F16 and BF16, to float32 and float64', async () => {
    await withTempDir(async (dir) => {
      const small = path.join(dir, 'small.safetensors');
      const matrix = Float64Array.from({ length: 12 }, (_, i) => (i - 5) / 7);
      await writeSafetensors(small, [
        { name: 'f64', dtype: 'F64', shape: [3, 4], data: matrix },
        { name: 'f32', dtype: 'F32', shape: [3, 4], data: matrix },
        { name: 'f16', dtype: 'F16', shape: [SPECIALS.length], data: SPECIALS },
        { name: 'bf16', dtype: 'BF16', shape: [SPECIALS.length], data: SPECIALS },
        { name: 'odd', dtype: 'F16', shape: [3], data: new Float32Array([1.5, -3, 0.25]) },
        { name: 'empty', dtype: 'BF16', shape: [0, 4], data: new Float32Array(0) },
        { name: 'scalar', dtype: 'F32', shape: [], data: new Float32Array([7]) },
      ]);
      const smallHeader = await readCheckpointHeader(small);
      for (const float64 of [false, true]) {
        const reused = new Map(await assertModesAgree(smallHeader, float64));
        assertSameValues(reused.get('f64')!, matrix, 'f64');
        assert.deepEqual([...reused.get('f16')!], [1, -2, 0.333251953125, 2 ** -24, Infinity, -Infinity, NaN, -0, 2 ** -23]);
        assert.deepEqual([...reused.get('bf16')!], [1, -2, 0.333984375, 2 ** -24, 65536, -Infinity, NaN, -0, 3 * 2 ** -25]);
        assert.deepEqual([...reused.get('odd')!], [1.5, -3, 0.25]);
      }

      const large = path.join(dir, 'large.safetensors');
      const patterns = await writeLargeFile(large);
      const largeHeader = await readCheckpointHeader(large);
      for (const float64 of [false, true]) {
        const reused = new Map(await assertModesAgree(largeHeader, float64));
        // Independent check against the scalar decoders, across chunk and read-step boundaries.
        const h = reused.get('h')!;
        const b = reused.get('b')!;
        for (let i = 0; i < HALF_ELEMENTS; i += 9973) {
          assert.ok(Object.is(h[i], decodeFloat16(patterns[i]!)), `F16 element ${i}`);
          assert.ok(Object.is(b[i], decodeBFloat16(patterns[i]!)), `BF16 element ${i}`);
        }
        const f = reused.get('f')!;
        for (const i of [0, 1, 2_097_151, 2_097_152, F32_ELEMENTS - 1]) assert.equal(f[i], i - 0.5);
      }
    });
  });

  it('hands every callback a view of one scratch buffer sized for the largest decoded tensor', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'model.safetensors');
      await writeSafetensors(file, [
        { name: 'a.small', dtype: 'F32', shape: [4], data: new Float32Array([1, 2, 3, 4]) },
        // 300 F16 elements: 600 stored bytes, but 1200 decoded bytes, the largest output.
        { name: 'b.half', dtype: 'F16', shape: [300], data: Float32Array.from({ length: 300 }, (_, i) => i) },
        { name: 'c.mid', dtype: 'F32', shape: [200], data: Float32Array.from({ length: 200 }, (_, i) => -i) },
      ]);
      const header = await readCheckpointHeader(file);

      const buffers: ArrayBufferLike[] = [];
      let firstView: Floats | undefined;
      const heads: number[][] = []; // first 4 values of each tensor, copied during its callback
      await forEachTensor(
        header,
        (_ref, data) => {
          buffers.push(data.buffer);
          assert.equal(data.byteOffset, 0);
          firstView ??= data;
          heads.push([...data.subarray(0, 4)]);
        },
        { reuseBuffer: true },
      );
      assert.equal(buffers.length, 3);
      assert.equal(new Set(buffers).size, 1, 'one buffer for every tensor');
      assert.equal(buffers[0]!.byteLength, 300 * 4);
      // The first tensor's view now shows the last tensor's values: the memory really was reused.
      assert.notDeepEqual(heads[0], heads[2]);
      assert.deepEqual([...firstView!.subarray(0, 4)], heads[2]);

      // The default mode still hands out separate, exactly sized arrays that stay valid.
      const kept: Floats[] = [];
      await forEachTensor(header, (_ref, data) => void kept.push(data));
      assert.equal(new Set(kept.map((data) => data.buffer)).size, 3);
      for (const data of kept) assert.equal(data.buffer.byteLength, data.byteLength);
      assert.deepEqual(kept.map((data) => [...data.subarray(0, 4)]), heads);
    });
  });

  it('keeps the view intact until an async callback settles', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'model.safetensors');
      await writeSafetensors(file, [
        { name: 'x', dtype: 'BF16', shape: [64], data: Float32Array.from({ length: 64 }, (_, i) => i) },
        { name: 'y', dtype: 'BF16', shape: [64], data: Float32Array.from({ length: 64 }, (_, i) => 100 + i) },
      ]);
      const header = await readCheckpointHeader(file);
      const firsts: number[] = [];
      await forEachTensor(
        header,
        async (_ref, data) => {
          const before = data.slice();
          await new Promise<void>((resolve) => setImmediate(resolve));
          assertSameValues(data, before, 'view after an await');
          firsts.push(data[0]!);
        },
        { reuseBuffer: true },
      );
      assert.deepEqual(firsts, [0, 100]);
    });
  });

  it('sizes the scratch for the largest tensor wherever it is: a later shard, or a rewritten file', async () => {
    await withTempDir(async (dir) => {
      const shard1 = 'model-00001-of-00002.safetensors';
      const shard2 = 'model-00002-of-00002.safetensors';
      await writeSafetensors(path.join(dir, shard1), [
        { name: 'embed', dtype: 'F32', shape: [100], data: Float32Array.from({ length: 100 }, (_, i) => i / 4) },
        { name: 'norm', dtype: 'F16', shape: [3], data: new Float32Array([1, 2, 3]) },
      ]);
      // 150 BF16 elements: fewer stored bytes than `embed` (300 < 400), more decoded as float64 (1200 > 800).
      await writeSafetensors(path.join(dir, shard2), [
        { name: 'head', dtype: 'BF16', shape: [150], data: Float32Array.from({ length: 150 }, (_, i) => -i) },
      ]);
      const weightMap = { embed: shard1, norm: shard1, head: shard2 };
      await fs.writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
      const sharded = await readCheckpointHeader(dir);

      for (const [float64, capacity] of [[false, 600], [true, 1200]] as const) {
        const sizes = new Set<number>();
        await forEachTensor(sharded, (_ref, data) => void sizes.add(data.buffer.byteLength), { reuseBuffer: true, float64 });
        assert.deepEqual([...sizes], [capacity], `float64 ${float64}`);
        await assertModesAgree(sharded, float64);
      }

      // The same path rewritten with a larger tensor, and its header read again.
      const file = path.join(dir, shard2);
      await writeSafetensors(file, [
        { name: 'head', dtype: 'F16', shape: [40, 25], data: Float32Array.from({ length: 1000 }, (_, i) => i % 7) },
      ]);
      const rewritten = await readCheckpointHeader(file);
      let last: Floats | undefined;
      await forEachTensor(rewritten, (_ref, data) => void (last = data.slice()), { reuseBuffer: true });
      assert.equal(last?.length, 1000);
      assert.deepEqual([...last!.subarray(0, 9)], [0, 1, 2, 3, 4, 5, 6, 0, 1]);
      await assertModesAgree(rewritten, false);
    });
  });
});
