/**
 * Encoding and decoding of the two 16-bit float formats safetensors stores:
 * IEEE 754 binary16 (F16: 1 sign, 5 exponent, 10 mantissa bits) and
 * bfloat16 (BF16: 1 sign, 8 exponent, 7 mantissa bits, i.e. the upper half of a binary32).
 */
import { HOST_IS_LITTLE_ENDIAN } from './dtypes';

/** Layout of a small binary float format. */
interface SmallFloatFormat {
  exponentBits: number;
  mantissaBits: number;
  /** Bit pattern written for NaN (a quiet NaN with positive sign, as PyTorch writes). */
  quietNaN: number;
}

const BINARY16: SmallFloatFormat = { exponentBits: 5, mantissaBits: 10, quietNaN: 0x7e00 };
const BFLOAT16: SmallFloatFormat = { exponentBits: 8, mantissaBits: 7, quietNaN: 0x7fc0 };

/** Rounds a non-negative number to the nearest integer, ties to even. `q` must be below 2^52. */
function roundHalfToEven(q: number): number {
  const floor = Math.floor(q);
  const rest = q - floor; // exact: q has at most 53 significant bits and floor(q) < 2^52
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Encodes `value` (any double) as a 16-bit pattern of `format`, rounding once, to nearest with
 * ties to even, straight from the double (no double rounding through float32).
 * Overflow gives ±inf, underflow gives subnormals or ±0, -0 keeps its sign.
 */
function encodeSmallFloat(value: number, format: SmallFloatFormat): number {
  const { exponentBits, mantissaBits } = format;
  if (Number.isNaN(value)) return format.quietNaN;
  const signBit = value < 0 || Object.is(value, -0) ? 1 << 15 : 0;
  const magnitude = Math.abs(value);
  const exponentMask = (1 << exponentBits) - 1;
  const infinity = signBit | (exponentMask << mantissaBits);
  if (magnitude === Infinity) return infinity;

  const bias = exponentMask >> 1;
  const minNormalExponent = 1 - bias;
  const implicitOne = 2 ** mantissaBits;

  if (magnitude < 2 ** minNormalExponent) {
    // Subnormal range: the pattern is the magnitude in units of the smallest subnormal. Rounding
    // up to 2^mantissaBits lands exactly on the smallest normal's pattern, which is correct.
    return signBit | roundHalfToEven(magnitude / 2 ** (minNormalExponent - mantissaBits));
  }

  let exponent = Math.floor(Math.log2(magnitude));
  // Math.log2 may be off by one next to powers of two: correct it exactly.
  if (2 ** exponent > magnitude) exponent -= 1;
  else if (2 ** (exponent + 1) <= magnitude) exponent += 1;

  let significand = roundHalfToEven(magnitude / 2 ** (exponent - mantissaBits)); // in [2^m, 2^(m+1)]
  if (significand === 2 * implicitOne) {
    significand = implicitOne;
    exponent += 1;
  }
  if (exponent > bias) return infinity;
  return signBit | ((exponent + bias) << mantissaBits) | (significand - implicitOne);
}

/** binary16 bit pattern of `value`, round to nearest even. */
export function encodeFloat16(value: number): number {
  return encodeSmallFloat(value, BINARY16);
}

/** bfloat16 bit pattern of `value`, round to nearest even. */
export function encodeBFloat16(value: number): number {
  return encodeSmallFloat(value, BFLOAT16);
}

let float16Table: Float32Array | undefined;
let float16TableBits: Uint32Array | undefined;

/** All 65536 binary16 values as float32 (exact: binary16 ⊂ binary32). Built once, 256 KB. */
function float16DecodeTable(): Float32Array {
  if (float16Table) return float16Table;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    if (exponent === 0) table[bits] = sign * mantissa * 2 ** -24;
    else if (exponent === 0x1f) table[bits] = mantissa === 0 ? sign * Infinity : NaN;
    else table[bits] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  float16Table = table;
  float16TableBits = new Uint32Array(table.buffer);
  return table;
}

/** The value of one binary16 bit pattern. */
export function decodeFloat16(bits: number): number {
  return float16DecodeTable()[bits & 0xffff] as number;
}

/** The value of one bfloat16 bit pattern. */
export function decodeBFloat16(bits: number): number {
  scalarBits[0] = (bits & 0xffff) << 16;
  return scalarFloat[0] as number;
}
const scalarBits = new Uint32Array(1);
const scalarFloat = new Float32Array(scalarBits.buffer);

/**
 * `patterns` read two at a time as one Uint32 (element 2i in the low half on little-endian hosts),
 * or undefined when that is not possible (big-endian host or a view not 4-byte aligned).
 * Halves the loads and bounds checks of the decoding loops.
 */
function asPairs(patterns: Uint16Array): Uint32Array | undefined {
  if (!HOST_IS_LITTLE_ENDIAN || patterns.byteOffset % 4 !== 0) return undefined;
  return new Uint32Array(patterns.buffer, patterns.byteOffset, patterns.length >>> 1);
}

/** The float32 bit patterns of `out`, so decoding copies bits and never converts through a double. */
function bitsOf(out: Float32Array): Uint32Array {
  return new Uint32Array(out.buffer, out.byteOffset, out.length);
}

/**
 * Decodes binary16 patterns into `out` (same length), which may be a Float32Array or Float64Array.
 * Float32 output: one lookup in a 65,536-entry table of float32 bit patterns per element.
 * NaN payloads are not preserved (every NaN decodes to the canonical NaN).
 */
export function decodeFloat16Array(patterns: Uint16Array, out: Float32Array | Float64Array): void {
  const table = float16DecodeTable();
  if (!(out instanceof Float32Array)) {
    for (let i = 0; i < patterns.length; i++) out[i] = table[patterns[i] as number] as number;
    return;
  }
  const tableBits = float16TableBits as Uint32Array;
  const outBits = bitsOf(out);
  const pairs = asPairs(patterns);
  let i = 0;
  if (pairs) {
    for (let p = 0; p < pairs.length; p++) {
      const word = pairs[p] as number;
      outBits[2 * p] = tableBits[word & 0xffff] as number;
      outBits[2 * p + 1] = tableBits[word >>> 16] as number;
    }
    i = 2 * pairs.length;
  }
  for (; i < patterns.length; i++) outBits[i] = tableBits[patterns[i] as number] as number;
}

/** Scratch for bfloat16 → float64 decoding in chunks, so no full-size float32 copy is needed. */
const BF16_CHUNK = 4096;

/**
 * Decodes bfloat16 patterns into `out` (same length): each pattern is the top half of a float32,
 * so float32 output is one shift per element.
 */
export function decodeBFloat16Array(patterns: Uint16Array, out: Float32Array | Float64Array): void {
  if (out instanceof Float32Array) {
    const outBits = bitsOf(out);
    const pairs = asPairs(patterns);
    let i = 0;
    if (pairs) {
      for (let p = 0; p < pairs.length; p++) {
        const word = pairs[p] as number;
        outBits[2 * p] = word << 16;
        outBits[2 * p + 1] = word & 0xffff0000;
      }
      i = 2 * pairs.length;
    }
    for (; i < patterns.length; i++) outBits[i] = (patterns[i] as number) << 16;
    return;
  }
  const chunkFloats = new Float32Array(BF16_CHUNK);
  for (let start = 0; start < patterns.length; start += BF16_CHUNK) {
    const count = Math.min(BF16_CHUNK, patterns.length - start);
    decodeBFloat16Array(patterns.subarray(start, start + count), chunkFloats.subarray(0, count));
    for (let i = 0; i < count; i++) out[start + i] = chunkFloats[i] as number;
  }
}
