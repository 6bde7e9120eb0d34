/**
 * Lazy tensor reading: one tensor at a time, with positioned reads of exactly its bytes.
 * F32/F64 on little-endian hosts are read straight into the output's memory (no copy, no
 * per-element work). Conversions (F16/BF16, or F32 read as float64) read 4 MB chunks into two
 * alternating buffers, decoding one while the next is read.
 * Peak memory per tensor: its output, plus 8 MB of chunks when converting. With
 * `forEachTensor(…, { reuseBuffer: true })` the output is one buffer reused for every tensor.
 */
import { promises as fs } from 'node:fs';
import { FormatError, type CheckpointHeader, type TensorRef } from '../types';
import { HOST_IS_LITTLE_ENDIAN } from './dtypes';
import { decodeBFloat16Array, decodeFloat16Array } from './halfFloat';
import { readAt, readPipelined } from './positionedRead';
import { fsCall, quote } from './problems';
import { checkRef, decodedElementBytes, shortRead } from './tensorCheck';
import { freshMemory, reusedMemory, type TensorMemory } from './tensorMemory';

export interface ReadTensorOptions {
  /** Decode F32/F16/BF16 to float64 instead of float32. F64 is always float64. */
  float64?: boolean;
}

export interface ForEachTensorOptions extends ReadTensorOptions {
  /**
   * Streaming mode. **The array handed to the callback is a view of ONE scratch buffer that is
   * reused for every tensor: it is valid only until the callback returns (or its promise
   * settles), after which the next tensor overwrites it.** Copy what you keep (`data.slice()`).
   * The scratch is allocated once, sized for the largest decoded tensor of the checkpoint, so
   * `data.buffer` is usually longer than `data`: use `data` (or its byteOffset/byteLength),
   * never `data.buffer` on its own. Default false: every tensor gets a fresh array.
   */
  reuseBuffer?: boolean;
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

/**
 * Decodes the little-endian elements of `dtype` in `bytes` (4-byte aligned) into `out` starting
 * at element `at`. Only for conversions: F64 and F32-as-float32 are read in place.
 */
function decodeChunk(dtype: string, bytes: Uint8Array, out: Float32Array | Float64Array, at: number): void {
  if (dtype === 'F32') {
    out.set(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4), at);
    return;
  }
  const patterns = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
  const target = out.subarray(at, at + patterns.length);
  if (dtype === 'F16') decodeFloat16Array(patterns, target);
  else decodeBFloat16Array(patterns, target);
}

/**
 * Reads one tensor through an open handle of `ref.file`, whose size is `fileSize`, into memory
 * from `memory`: the result is a view from offset 0 of `memory.output(…)`.
 */
async function readTensorFrom(
  handle: fs.FileHandle,
  fileSize: number,
  ref: TensorRef,
  options: ReadTensorOptions,
  memory: TensorMemory,
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
  const elements = ref.byteLength / elementBytes;
  const outputBytes = decodedElementBytes(ref, float64);
  const buffer = memory.output(ref, elements * outputBytes);
  const out = outputBytes === 8 ? new Float64Array(buffer, 0, elements) : new Float32Array(buffer, 0, elements);

  if (outputBytes === elementBytes) {
    const bytes = new Uint8Array(buffer, 0, ref.byteLength);
    const read = await fsCall(ref.file, () => readAt(handle, bytes, ref.byteOffset));
    if (read < ref.byteLength) throw shortRead(ref, read);
    if (!HOST_IS_LITTLE_ENDIAN) swapBytes(bytes, elementBytes);
    return out;
  }

  const read = await fsCall(ref.file, () =>
    readPipelined(handle, ref.byteOffset, ref.byteLength, memory.conversionChunks(ref.byteLength), (bytes, offset) => {
      if (!HOST_IS_LITTLE_ENDIAN) swapBytes(bytes, elementBytes);
      decodeChunk(ref.dtype, bytes, out, offset / elementBytes);
    }),
  );
  if (read < ref.byteLength) throw shortRead(ref, read);
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
 * Reads and decodes one tensor into a fresh array. F64 → Float64Array; F32/F16/BF16 →
 * Float32Array, or Float64Array with `float64`. Element order is the file's (row-major) order.
 * @throws FormatError for non-analysable dtypes and for short reads (file changed or truncated).
 */
export async function readTensor(ref: TensorRef, opts: ReadTensorOptions = {}): Promise<Float32Array | Float64Array> {
  checkRef(ref);
  const { handle, size } = await openTensorFile(ref.file);
  try {
    return await readTensorFrom(handle, size, ref, opts, freshMemory());
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Streams every analysable tensor of `header`, file by file in shard order and in data order
 * within a file, one at a time: the next tensor is read only after `fn`'s promise settles.
 * Non-analysable tensors are skipped. Each file is opened once. Values as `readTensor`.
 *
 * By default each tensor is a fresh array the callback may keep.
 * **With `{ reuseBuffer: true }`, `data` is a view of one reused scratch buffer, valid ONLY
 * during the callback: copy it (`data.slice()`) to keep anything.** That mode allocates the
 * scratch once (the largest decoded tensor) and is the fast way to stream a whole checkpoint.
 */
export async function forEachTensor(
  header: CheckpointHeader,
  fn: (ref: TensorRef, data: Float32Array | Float64Array) => void | Promise<void>,
  opts: ForEachTensorOptions = {},
): Promise<void> {
  const byFile = new Map<string, TensorRef[]>(header.files.map((file) => [file, []]));
  const analysable = header.tensors.filter((ref) => ref.analysable);
  for (const ref of analysable) {
    const list = byFile.get(ref.file);
    if (list) list.push(ref);
    else byFile.set(ref.file, [ref]);
  }
  const memory = opts.reuseBuffer === true ? reusedMemory(analysable, opts.float64 === true) : freshMemory();
  for (const [file, refs] of byFile) {
    if (refs.length === 0) continue;
    refs.sort((a, b) => a.byteOffset - b.byteOffset);
    const { handle, size } = await openTensorFile(file);
    try {
      for (const ref of refs) await fn(ref, await readTensorFrom(handle, size, ref, opts, memory));
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
}
