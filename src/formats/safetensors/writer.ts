/**
 * `writeSafetensors`: a deterministic writer for float tensors (bundled examples, adapter export).
 * Same bytes for the same input, same layout as the Hugging Face reference writer.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { floatDtypeBytes, HOST_IS_LITTLE_ENDIAN, type FloatDtype } from './dtypes';
import { encodeBFloat16, encodeFloat16 } from './halfFloat';
import { planLayout, type LayoutEntry } from './layout';

export interface TensorToWrite {
  name: string;
  dtype: 'F64' | 'F32' | 'F16' | 'BF16';
  /** Row-major shape; `data.length` must equal the product (1 for a scalar `[]`). */
  shape: number[];
  data: Float32Array | Float64Array;
}

/** Elements converted per write, so memory stays bounded whatever the tensor size. */
const CHUNK_ELEMENTS = 1 << 20;

function checkTensor(file: string, tensor: TensorToWrite): number {
  const fail = (problem: string): never => {
    throw new RangeError(`writeSafetensors ${file}: tensor ${JSON.stringify(tensor.name)} ${problem}`);
  };
  if (typeof tensor.name !== 'string') fail('has a non-string name');
  if (tensor.name === '__metadata__') fail('uses the reserved name __metadata__');
  if (!['F64', 'F32', 'F16', 'BF16'].includes(tensor.dtype)) fail(`has unsupported dtype ${String(tensor.dtype)}`);
  if (!(tensor.data instanceof Float32Array || tensor.data instanceof Float64Array)) {
    fail('data is not a Float32Array or Float64Array');
  }
  let elements = 1;
  for (const dim of tensor.shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) fail(`has invalid shape [${tensor.shape.join(', ')}]`);
    elements *= dim;
  }
  if (elements !== tensor.data.length) {
    fail(`has shape [${tensor.shape.join(', ')}] (${elements} elements) but ${tensor.data.length} values`);
  }
  return elements * floatDtypeBytes(tensor.dtype);
}

/** Little-endian bytes of `data[start, start + count)` stored as `dtype`. */
function encodeChunk(data: Float32Array | Float64Array, dtype: FloatDtype, start: number, count: number): Uint8Array {
  const slice = data.subarray(start, start + count);
  if (dtype === 'F16' || dtype === 'BF16') {
    const bytes = Buffer.allocUnsafe(count * 2);
    const encode = dtype === 'F16' ? encodeFloat16 : encodeBFloat16;
    for (let i = 0; i < count; i++) bytes.writeUInt16LE(encode(slice[i] as number), i * 2);
    return bytes;
  }
  const wantF32 = dtype === 'F32';
  if (HOST_IS_LITTLE_ENDIAN && (slice instanceof Float32Array) === wantF32) {
    return new Uint8Array(slice.buffer, slice.byteOffset, slice.byteLength);
  }
  // Conversion (float64 → float32 rounds to nearest even, as the JS spec requires) or byte swap.
  const bytes = Buffer.allocUnsafe(count * (wantF32 ? 4 : 8));
  for (let i = 0; i < count; i++) {
    if (wantF32) bytes.writeFloatLE(slice[i] as number, i * 4);
    else bytes.writeDoubleLE(slice[i] as number, i * 8);
  }
  return bytes;
}

async function writeAll(handle: fs.FileHandle, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
    written += bytesWritten;
  }
}

/**
 * Writes `tensors` to `file` as safetensors. Keys are sorted like the Python reference
 * (dtype width, then name), `metadata` keys are sorted, the header is space-padded to 8 bytes.
 * Writes a temporary file in the same folder, syncs it and renames it over `file`, so readers
 * never see a half-written file. Memory use is bounded: tensors are encoded in chunks.
 *
 * @throws RangeError for invalid input (duplicate or reserved names, shape/data mismatch).
 */
export async function writeSafetensors(
  file: string,
  tensors: TensorToWrite[],
  metadata?: Record<string, string>,
): Promise<void> {
  const seen = new Set<string>();
  const entries: (LayoutEntry & { tensor: TensorToWrite })[] = [];
  for (const tensor of tensors) {
    const byteLength = checkTensor(file, tensor);
    if (seen.has(tensor.name)) {
      throw new RangeError(`writeSafetensors ${file}: tensor ${JSON.stringify(tensor.name)} is given twice`);
    }
    seen.add(tensor.name);
    entries.push({ name: tensor.name, dtype: tensor.dtype, shape: [...tensor.shape], byteLength, tensor });
  }
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new RangeError(`writeSafetensors ${file}: metadata ${JSON.stringify(key)} is not a string`);
      }
    }
  }
  const layout = planLayout(entries, metadata);

  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx');
  try {
    await writeAll(handle, layout.prefix);
    for (const { entry } of layout.placed) {
      const { data, dtype } = entry.tensor;
      for (let start = 0; start < data.length; start += CHUNK_ELEMENTS) {
        await writeAll(handle, encodeChunk(data, dtype, start, Math.min(CHUNK_ELEMENTS, data.length - start)));
      }
    }
    await handle.sync();
    await handle.close();
    await fs.rename(temp, target);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw error;
  }
}
