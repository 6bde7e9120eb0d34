import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { forEachTensor, readCheckpointHeader, readTensor } from '../../../../src/formats/safetensors';
import { decodeBFloat16, decodeFloat16 } from '../../../../src/formats/safetensors/halfFloat';
import { handMadeFile, withTempDir } from './tempDir';

/** 4.5 M half-precision elements = 9 MB: more than one 8 MB read step. */
const HALF_ELEMENTS = 4_718_592;
const F32_ELEMENTS = HALF_ELEMENTS / 2;

describe('tensors larger than one read step', () => {
  it('decode every element, across step boundaries, for F16, BF16 and F32 as float64', async () => {
    await withTempDir(async (dir) => {
      const patterns = new Uint16Array(HALF_ELEMENTS);
      for (let i = 0; i < patterns.length; i++) patterns[i] = (i * 40503) & 0xffff;
      const f32 = new Float32Array(F32_ELEMENTS);
      for (let i = 0; i < f32.length; i++) f32[i] = i - 0.5;
      const halfBytes = HALF_ELEMENTS * 2;
      const json =
        `{"h":{"dtype":"F16","shape":[${HALF_ELEMENTS}],"data_offsets":[0,${halfBytes}]},` +
        `"b":{"dtype":"BF16","shape":[${HALF_ELEMENTS}],"data_offsets":[${halfBytes},${2 * halfBytes}]},` +
        `"f":{"dtype":"F32","shape":[${F32_ELEMENTS}],"data_offsets":[${2 * halfBytes},${3 * halfBytes}]}}`;
      const data = Buffer.concat([
        Buffer.from(patterns.buffer),
        Buffer.from(patterns.buffer),
        Buffer.from(f32.buffer),
      ]);
      const file = path.join(dir, 'large.safetensors');
      await fs.writeFile(file, handMadeFile(json, data));
      const header = await readCheckpointHeader(file);
      const [h, b, f] = header.tensors;

      const f16 = await readTensor(h!);
      const bf16 = await readTensor(b!, { float64: true });
      // Expected values element by element from the scalar decoders (NaN compared as NaN).
      for (let i = 0; i < HALF_ELEMENTS; i++) {
        const bits = patterns[i] as number;
        const a = f16[i] as number;
        const e = decodeFloat16(bits);
        if (a !== e && !(a !== a && e !== e)) assert.fail(`F16 element ${i}: ${a} for bits ${bits}`);
        const c = bf16[i] as number;
        const g = decodeBFloat16(bits);
        if (c !== g && !(c !== c && g !== g)) assert.fail(`BF16 element ${i}: ${c} for bits ${bits}`);
      }
      const f64 = await readTensor(f!, { float64: true });
      assert.ok(f64 instanceof Float64Array);
      assert.equal(f64.length, F32_ELEMENTS);
      for (let i = 0; i < F32_ELEMENTS; i++) if (f64[i] !== i - 0.5) assert.fail(`F32 element ${i}: ${f64[i]}`);

      // The shared scratch of forEachTensor must give the same values as separate reads.
      const sums: number[] = [];
      await forEachTensor(
        header,
        (_ref, values) => {
          let sum = 0;
          for (let i = 0; i < values.length; i += 997) if (Number.isFinite(values[i])) sum += values[i] as number;
          sums.push(sum);
        },
        { float64: true },
      );
      const expectedSum = (values: Float32Array | Float64Array): number => {
        let sum = 0;
        for (let i = 0; i < values.length; i += 997) if (Number.isFinite(values[i])) sum += values[i] as number;
        return sum;
      };
      assert.deepEqual(sums, [expectedSum(f16), expectedSum(bf16), expectedSum(f64)]);
    });
  });
});
