/**
 * Lazy tensor reading: one tensor at a time, with positioned reads of exactly its bytes.
 * Peak memory per tensor: its raw bytes (viewed in place for F32/F64 on little-endian hosts)
 * plus, for F16/BF16 or a float64 request, the decoded array.
 */
import { promises as fs } from 'node:fs';
import { FormatError, type CheckpointHeader, type TensorRef } from '../types';
import { floatDtypeBytes, HOST_IS_LITTLE_ENDIAN, isAnalysableDtype } from './dtypes';
import { decodeBFloat16Array, decodeFloat16Array } from './halfFloat';
import { readAt } from './positionedRead';
import { fsCall, quote } from './problems';

export interface ReadTensorOptions {
  /** Decode F32/F16/BF16 to float64 instead of float32. F64 is always float64. */
  float64?: boolean;
}

/** Checks that `ref` is analysable and self-consistent; returns bytes per element. */
function checkRef(ref: TensorRef): 2 | 4 | 8 {
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

/** Reverses the bytes of each `width`-byte element in place (only on big-endian hosts). */
function swapBytes(bytes: Uint8Array, width: number): void {
  for (let start = 0; start < bytes.length; start += width) {
    for (let i = 0, j = start + width - 1; i < width / 2; i++, j--) {
      const k = start + i;
      const t = bytes[k] as number;
      bytes[k] = bytes[j] as number;
      bytes[j] = t;
    }
  }
}

/** Decodes little-endian raw bytes of `dtype` (the buffer may be reused for the result). */
function decode(raw: ArrayBuffer, dtype: string, float64: boolean): Float32Array | Float64Array {
  switch (dtype) {
    case 'F64':
      return new Float64Array(raw);
    case 'F32': {
      const values = new Float32Array(raw);
      return float64 ? Float64Array.from(values) : values;
    }
    default: {
      const patterns = new Uint16Array(raw);
      const out = float64 ? new Float64Array(patterns.length) : new Float32Array(patterns.length);
      (dtype === 'F16' ? decodeFloat16Array : decodeBFloat16Array)(patterns, out);
      return out;
    }
  }
}

/** Reads one tensor through an open handle of `ref.file`, whose size is `fileSize`. */
async function readTensorFrom(
  handle: fs.FileHandle,
  fileSize: number,
  ref: TensorRef,
  options: ReadTensorOptions,
): Promise<Float32Array | Float64Array> {
  const elementBytes = checkRef(ref);
  const end = ref.byteOffset + ref.byteLength;
  if (end > fileSize) {
    throw new FormatError(
      ref.file,
      `tensor ${quote(ref.name)} needs bytes ${ref.byteOffset}–${end} but the file has ${fileSize} (changed or truncated?)`,
    );
  }
  let raw: ArrayBuffer;
  try {
    raw = new ArrayBuffer(ref.byteLength);
  } catch {
    throw new FormatError(ref.file, `tensor ${quote(ref.name)} is too large to load (${ref.byteLength} bytes)`);
  }
  const bytes = new Uint8Array(raw);
  const read = await fsCall(ref.file, () => readAt(handle, bytes, ref.byteOffset));
  if (read < ref.byteLength) {
    throw new FormatError(
      ref.file,
      `short read of tensor ${quote(ref.name)}: got ${read} of ${ref.byteLength} bytes (file changed or truncated?)`,
    );
  }
  if (!HOST_IS_LITTLE_ENDIAN) swapBytes(bytes, elementBytes);
  return decode(raw, ref.dtype, options.float64 === true);
}

async function openTensorFile(file: string): Promise<{ handle: fs.FileHandle; size: number }> {
  const stats = await fsCall(file, () => fs.stat(file));
  if (!stats.isFile()) throw new FormatError(file, 'is not a regular file');
  const handle = await fsCall(file, () => fs.open(file, 'r'));
  try {
    const { size } = await fsCall(file, () => handle.stat());
    return { handle, size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Reads and decodes one tensor. F64 → Float64Array; F32/F16/BF16 → Float32Array, or
 * Float64Array with `float64`. Element order is the file's (row-major) order.
 * @throws FormatError for non-analysable dtypes and for short reads (file changed or truncated).
 */
export async function readTensor(ref: TensorRef, opts: ReadTensorOptions = {}): Promise<Float32Array | Float64Array> {
  checkRef(ref);
  const { handle, size } = await openTensorFile(ref.file);
  try {
    return await readTensorFrom(handle, size, ref, opts);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Streams every analysable tensor of `header`, file by file in shard order and in data order
 * within a file, one at a time: the next tensor is read only after `fn`'s promise settles.
 * Non-analysable tensors are skipped. Each file is opened once.
 */
export async function forEachTensor(
  header: CheckpointHeader,
  fn: (ref: TensorRef, data: Float32Array | Float64Array) => void | Promise<void>,
  opts: ReadTensorOptions = {},
): Promise<void> {
  const byFile = new Map<string, TensorRef[]>(header.files.map((file) => [file, []]));
  for (const ref of header.tensors) {
    if (!ref.analysable) continue;
    const list = byFile.get(ref.file);
    if (list) list.push(ref);
    else byFile.set(ref.file, [ref]);
  }
  for (const [file, refs] of byFile) {
    if (refs.length === 0) continue;
    refs.sort((a, b) => a.byteOffset - b.byteOffset);
    const { handle, size } = await openTensorFile(file);
    try {
      for (const ref of refs) await fn(ref, await readTensorFrom(handle, size, ref, opts));
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
}
