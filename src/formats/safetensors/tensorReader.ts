/**
 * Lazy tensor reading: one tensor at a time, with positioned reads of exactly its bytes.
 * Peak memory per tensor: the returned array, plus an 8 MB scratch when converting
 * (F16/BF16, or F32 read as float64). F32/F64 on little-endian hosts are not copied at all.
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

/** Bytes read per step when converting (F16/BF16, or F32 to float64): the scratch is reused. */
const CHUNK_BYTES = 8 << 20;

/**
 * Decodes `length` little-endian bytes of `dtype` from `scratch` into `out` starting at element
 * `at`. Only used for conversions; F64 and F32-as-float32 are returned as views of the raw bytes.
 */
function decodeChunk(dtype: string, scratch: ArrayBuffer, length: number, out: Float32Array | Float64Array, at: number): void {
  if (dtype === 'F32') {
    out.set(new Float32Array(scratch, 0, length / 4), at);
    return;
  }
  const patterns = new Uint16Array(scratch, 0, length / 2);
  const target = out.subarray(at, at + patterns.length);
  if (dtype === 'F16') decodeFloat16Array(patterns, target);
  else decodeBFloat16Array(patterns, target);
}

function allocationFailed(ref: TensorRef): FormatError {
  return new FormatError(ref.file, `tensor ${quote(ref.name)} is too large to load (${ref.byteLength} bytes)`);
}

function shortRead(ref: TensorRef, got: number): FormatError {
  return new FormatError(
    ref.file,
    `short read of tensor ${quote(ref.name)}: got ${got} of ${ref.byteLength} bytes (file changed or truncated?)`,
  );
}

/**
 * Reads one tensor through an open handle of `ref.file`, whose size is `fileSize`.
 * F64, and F32 read as float32, are read straight into the returned array's memory (no copy).
 * Conversions read through a reused `scratch` of at most 8 MB, so their peak memory is the
 * output plus 8 MB.
 */
async function readTensorFrom(
  handle: fs.FileHandle,
  fileSize: number,
  ref: TensorRef,
  options: ReadTensorOptions,
  scratchPool: { buffer?: ArrayBuffer } = {},
): Promise<Float32Array | Float64Array> {
  const elementBytes = checkRef(ref);
  const end = ref.byteOffset + ref.byteLength;
  if (end > fileSize) {
    throw new FormatError(
      ref.file,
      `tensor ${quote(ref.name)} needs bytes ${ref.byteOffset}–${end} but the file has ${fileSize} (changed or truncated?)`,
    );
  }
  const float64 = options.float64 === true;

  if (ref.dtype === 'F64' || (ref.dtype === 'F32' && !float64)) {
    let raw: ArrayBuffer;
    try {
      raw = new ArrayBuffer(ref.byteLength);
    } catch {
      throw allocationFailed(ref);
    }
    const bytes = new Uint8Array(raw);
    const read = await fsCall(ref.file, () => readAt(handle, bytes, ref.byteOffset));
    if (read < ref.byteLength) throw shortRead(ref, read);
    if (!HOST_IS_LITTLE_ENDIAN) swapBytes(bytes, elementBytes);
    return ref.dtype === 'F64' ? new Float64Array(raw) : new Float32Array(raw);
  }

  const elements = ref.byteLength / elementBytes;
  let out: Float32Array | Float64Array;
  try {
    out = float64 ? new Float64Array(elements) : new Float32Array(elements);
  } catch {
    throw allocationFailed(ref);
  }
  const scratchBytes = Math.min(CHUNK_BYTES, ref.byteLength);
  if (!scratchPool.buffer || scratchPool.buffer.byteLength < scratchBytes) scratchPool.buffer = new ArrayBuffer(scratchBytes);
  const scratch = scratchPool.buffer;
  for (let done = 0; done < ref.byteLength; done += CHUNK_BYTES) {
    const length = Math.min(CHUNK_BYTES, ref.byteLength - done);
    const bytes = new Uint8Array(scratch, 0, length);
    const read = await fsCall(ref.file, () => readAt(handle, bytes, ref.byteOffset + done));
    if (read < length) throw shortRead(ref, done + read);
    if (!HOST_IS_LITTLE_ENDIAN) swapBytes(bytes, elementBytes);
    decodeChunk(ref.dtype, scratch, length, out, done / elementBytes);
  }
  return out;
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
  const scratchPool: { buffer?: ArrayBuffer } = {};
  for (const [file, refs] of byFile) {
    if (refs.length === 0) continue;
    refs.sort((a, b) => a.byteOffset - b.byteOffset);
    const { handle, size } = await openTensorFile(file);
    try {
      for (const ref of refs) await fn(ref, await readTensorFrom(handle, size, ref, opts, scratchPool));
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
}
