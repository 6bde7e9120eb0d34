import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeBFloat16,
  decodeBFloat16Array,
  decodeFloat16,
  decodeFloat16Array,
  encodeBFloat16,
  encodeFloat16,
} from '../../../../src/formats/safetensors/halfFloat';

const hex = (bits: number): string => `0x${bits.toString(16).padStart(4, '0')}`;

/** [value, binary16 pattern], worked out by hand from the IEEE 754 layout (1-5-10, bias 15). */
const FLOAT16_CASES: [number, number][] = [
  [1, 0x3c00],
  [-2, 0xc000],
  [0.5, 0x3800],
  [1 / 3, 0x3555], // 1.0101010101|0101… × 2^-2, rounds down
  [0.1, 0x2e66], // 1.1001100110|0110… × 2^-4, rounds down
  [65504, 0x7bff], // largest finite
  [65519, 0x7bff], // just below the halfway point to 65536
  [65520, 0x7c00], // halfway to 2^16: ties to even overflows to +inf
  [1e6, 0x7c00],
  [-1e6, 0xfc00],
  [Infinity, 0x7c00],
  [-Infinity, 0xfc00],
  [0, 0x0000],
  [-0, 0x8000],
  [2 ** -14, 0x0400], // smallest normal
  [1023 * 2 ** -24, 0x03ff], // largest subnormal
  [2 ** -24, 0x0001], // smallest subnormal
  [-(2 ** -24), 0x8001],
  [2 ** -25, 0x0000], // halfway between 0 and 2^-24: ties to even gives 0
  [2 ** -25 * 1.5, 0x0001],
  [3 * 2 ** -25, 0x0002], // 1.5 subnormal units: tie, rounds to the even 2
  [1 + 2 ** -11, 0x3c00], // tie at 1.0: stays on the even mantissa
  [1 + 3 * 2 ** -11, 0x3c02], // tie between 0x3c01 and 0x3c02: even wins
  [2 ** -14 - 2 ** -25, 0x0400], // tie between the largest subnormal and the smallest normal
];

/** [value, bfloat16 pattern] = the upper 16 bits of binary32, rounded to nearest even. */
const BFLOAT16_CASES: [number, number][] = [
  [1, 0x3f80],
  [-2, 0xc000],
  [Math.PI, 0x4049], // binary32 0x40490fdb: low half 0x0fdb < 0x8000
  [1 / 3, 0x3eab], // binary32 0x3eaaaaab: low half 0xaaab > 0x8000
  [1 + 2 ** -8, 0x3f80], // exact tie: even mantissa
  [1 + 3 * 2 ** -8, 0x3f82],
  [1 + 2 ** -8 + 2 ** -30, 0x3f81], // just above the tie: rounded once from the double
  [3.3895313892515355e38, 0x7f7f], // largest finite bfloat16
  [3.4028234663852886e38, 0x7f80], // float32 max rounds up to +inf
  [Infinity, 0x7f80],
  [-Infinity, 0xff80],
  [-0, 0x8000],
  [2 ** -133, 0x0001], // smallest subnormal
  [2 ** -126, 0x0080], // smallest normal
];

describe('binary16 (F16)', () => {
  for (const [value, bits] of FLOAT16_CASES) {
    it(`encodes ${value} as ${hex(bits)}`, () => assert.equal(hex(encodeFloat16(value)), hex(bits)));
  }
  it('encodes NaN as the quiet NaN 0x7e00', () => assert.equal(encodeFloat16(NaN), 0x7e00));
  it('decodes special patterns', () => {
    assert.equal(decodeFloat16(0x0001), 2 ** -24);
    assert.equal(decodeFloat16(0x03ff), 1023 * 2 ** -24);
    assert.equal(decodeFloat16(0x0400), 2 ** -14);
    assert.equal(decodeFloat16(0x7bff), 65504);
    assert.equal(decodeFloat16(0x3555), 0.333251953125);
    assert.equal(decodeFloat16(0x7c00), Infinity);
    assert.equal(decodeFloat16(0xfc00), -Infinity);
    assert.ok(Number.isNaN(decodeFloat16(0x7e00)));
    assert.ok(Number.isNaN(decodeFloat16(0x7c01)));
    assert.ok(Object.is(decodeFloat16(0x8000), -0));
  });
  it('decode(encode(x)) is the identity on every one of the 65536 patterns except NaNs', () => {
    for (let bits = 0; bits < 65536; bits++) {
      const value = decodeFloat16(bits);
      if (Number.isNaN(value)) continue;
      assert.equal(encodeFloat16(value), bits);
    }
  });
  it('decodes arrays into float32 and float64', () => {
    const patterns = new Uint16Array([0x3c00, 0x0001, 0xfc00, 0x8000]);
    const f32 = new Float32Array(4);
    const f64 = new Float64Array(4);
    decodeFloat16Array(patterns, f32);
    decodeFloat16Array(patterns, f64);
    assert.deepEqual([...f64], [1, 2 ** -24, -Infinity, -0]);
    assert.deepEqual([...f32], [1, 2 ** -24, -Infinity, -0]);
  });
});

describe('bfloat16 (BF16)', () => {
  for (const [value, bits] of BFLOAT16_CASES) {
    it(`encodes ${value} as ${hex(bits)}`, () => assert.equal(hex(encodeBFloat16(value)), hex(bits)));
  }
  it('encodes NaN as the quiet NaN 0x7fc0', () => assert.equal(encodeBFloat16(NaN), 0x7fc0));
  it('decodes a pattern as the upper half of a binary32', () => {
    assert.equal(decodeBFloat16(0x3f80), 1);
    assert.equal(decodeBFloat16(0x4049), 3.140625);
    assert.equal(decodeBFloat16(0x0001), 2 ** -133);
    assert.equal(decodeBFloat16(0xff80), -Infinity);
    assert.ok(Number.isNaN(decodeBFloat16(0x7fc0)));
    assert.ok(Object.is(decodeBFloat16(0x8000), -0));
  });
  it('decode(encode(x)) is the identity on every one of the 65536 patterns except NaNs', () => {
    for (let bits = 0; bits < 65536; bits++) {
      const value = decodeBFloat16(bits);
      if (Number.isNaN(value)) continue;
      assert.equal(encodeBFloat16(value), bits);
    }
  });
  it('decodes arrays longer than one chunk into float32 and float64', () => {
    const patterns = new Uint16Array(10000);
    for (let i = 0; i < patterns.length; i++) patterns[i] = (i * 7) & 0x7f7f;
    const f32 = new Float32Array(patterns.length);
    const f64 = new Float64Array(patterns.length);
    decodeBFloat16Array(patterns, f32);
    decodeBFloat16Array(patterns, f64);
    for (let i = 0; i < patterns.length; i++) {
      const expected = decodeBFloat16(patterns[i] as number);
      assert.equal(f32[i], expected);
      assert.equal(f64[i], expected);
    }
  });
});
