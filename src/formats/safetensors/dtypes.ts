/**
 * Safetensors dtype names, their sizes and which of them we can decode to floats.
 * Sizes are in bits because the spec has sub-byte types (F4, F6_*).
 */
import { ANALYSABLE_DTYPES, type StorageDtype } from '../types';

/**
 * Bits per element of every dtype the safetensors spec names. `C64` (complex64, added to the spec
 * after `StorageDtype` was written) is accepted as a known, non-analysable dtype.
 */
const DTYPE_BITS: ReadonlyMap<string, number> = new Map<StorageDtype | 'C64', number>([
  ['BOOL', 8],
  ['F4', 4],
  ['F6_E2M3', 6],
  ['F6_E3M2', 6],
  ['U8', 8],
  ['I8', 8],
  ['F8_E5M2', 8],
  ['F8_E4M3', 8],
  ['F8_E8M0', 8],
  ['I16', 16],
  ['U16', 16],
  ['F16', 16],
  ['BF16', 16],
  ['I32', 32],
  ['U32', 32],
  ['F32', 32],
  ['C64', 64],
  ['F64', 64],
  ['I64', 64],
  ['U64', 64],
]);

/** The dtypes `readTensor` decodes and `writeSafetensors` encodes. */
export type FloatDtype = 'F64' | 'F32' | 'F16' | 'BF16';

/** Bits per element, or undefined when the name is not in the safetensors spec. */
export function dtypeBits(dtype: string): number | undefined {
  return DTYPE_BITS.get(dtype);
}

export function isAnalysableDtype(dtype: string): dtype is FloatDtype {
  return (ANALYSABLE_DTYPES as readonly string[]).includes(dtype);
}

/** Bytes per element of the four float dtypes. */
export function floatDtypeBytes(dtype: FloatDtype): 2 | 4 | 8 {
  switch (dtype) {
    case 'F64':
      return 8;
    case 'F32':
      return 4;
    case 'F16':
    case 'BF16':
      return 2;
  }
}

/** True when this host stores typed-array elements little-endian (safetensors' byte order). */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
