/** Checks of one tensor reference before reading it, and the typed errors of tensor reading. */
import { FormatError, type TensorRef } from '../types';
import { floatDtypeBytes, isAnalysableDtype } from './dtypes';
import { quote } from './problems';

/**
 * Checks that `ref` is analysable and self-consistent (byte length = elements × dtype size).
 * @returns bytes per stored element.
 * @throws FormatError otherwise.
 */
export function checkRef(ref: TensorRef): 2 | 4 | 8 {
  const fail = (problem: string): never => {
    throw new FormatError(ref.file, `tensor ${quote(ref.name)}: ${problem}`);
  };
  if (!isAnalysableDtype(ref.dtype)) fail(`not analysable: dtype ${ref.dtype}`);
  const elementBytes = floatDtypeBytes(ref.dtype as 'F64' | 'F32' | 'F16' | 'BF16');
  const elements = ref.shape.reduce((product, dim) => product * BigInt(dim), 1n);
  if (
    !Number.isSafeInteger(ref.byteOffset) ||
    ref.byteOffset < 0 ||
    BigInt(ref.byteLength) !== elements * BigInt(elementBytes)
  ) {
    fail(`byte range does not match shape [${ref.shape.join(', ')}] of ${ref.dtype}`);
  }
  return elementBytes;
}

/** Bytes per decoded element: F64 always gives float64, the rest float32 unless `float64`. */
export function decodedElementBytes(ref: TensorRef, float64: boolean): 4 | 8 {
  return ref.dtype === 'F64' || float64 ? 8 : 4;
}

export function allocationFailed(ref: TensorRef, bytes: number = ref.byteLength): FormatError {
  return new FormatError(ref.file, `tensor ${quote(ref.name)} is too large to load (${bytes} bytes)`);
}

export function shortRead(ref: TensorRef, got: number): FormatError {
  return new FormatError(
    ref.file,
    `short read of tensor ${quote(ref.name)}: got ${got} of ${ref.byteLength} bytes (file changed or truncated?)`,
  );
}
