/** Test helpers: temp folders and safetensors files built by hand from a list of tensors. */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TensorRef } from '../../../src/formats/types';

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lora-lens-viewer-'));
  try {
    return await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export interface HandTensor {
  name: string;
  dtype: string;
  shape: number[];
}

const DTYPE_BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I8: 1, U8: 1, F8_E4M3: 1, I32: 4, I64: 8, BOOL: 1 };

function byteLength(t: HandTensor): number {
  return t.shape.reduce((p, d) => p * d, 1) * DTYPE_BYTES[t.dtype];
}

/** Header JSON with consecutive data offsets, in list order. */
export function headerJson(tensors: readonly HandTensor[], metadata?: Record<string, string>): { json: string; dataBytes: number } {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const n = byteLength(t);
    // defineProperty: a tensor may be called "__proto__".
    Object.defineProperty(header, t.name, { value: { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + n] }, enumerable: true });
    offset += n;
  }
  return { json: JSON.stringify(header), dataBytes: offset };
}

/**
 * Writes a valid safetensors file: u64 LE header length, header, zero data. With `sparse`, the data
 * section is made by extending the file (no disk blocks), so a "10 GB" file costs nothing.
 */
export async function writeHandFile(
  file: string, tensors: readonly HandTensor[], metadata?: Record<string, string>, sparse = false,
): Promise<{ headerBytes: number; dataBytes: number }> {
  const { json, dataBytes } = headerJson(tensors, metadata);
  const header = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(header.length));
  if (sparse) {
    await fs.writeFile(file, Buffer.concat([prefix, header]));
    await fs.truncate(file, 8 + header.length + dataBytes);
  } else {
    await fs.writeFile(file, Buffer.concat([prefix, header, Buffer.alloc(dataBytes)]));
  }
  return { headerBytes: header.length, dataBytes };
}

/** TensorRefs as the header reader would produce them (for the pure grouping functions). */
export function refs(tensors: readonly HandTensor[]): TensorRef[] {
  let offset = 0;
  return tensors.map((t) => {
    const n = byteLength(t);
    const analysable = ['F64', 'F32', 'F16', 'BF16'].includes(t.dtype);
    const ref: TensorRef = { name: t.name, dtype: t.dtype, shape: t.shape, file: '/x.safetensors', byteOffset: offset, byteLength: n, analysable };
    if (!analysable) ref.reason = `not analysable: dtype ${t.dtype}`;
    offset += n;
    return ref;
  });
}

/** A Llama-style block's tensors for layer `i` (hidden 8, MLP 16, KV 4). */
export function llamaBlock(i: number, dtype = 'F32'): HandTensor[] {
  const p = `model.layers.${i}.`;
  return [
    { name: `${p}self_attn.q_proj.weight`, dtype, shape: [8, 8] },
    { name: `${p}self_attn.k_proj.weight`, dtype, shape: [4, 8] },
    { name: `${p}self_attn.v_proj.weight`, dtype, shape: [4, 8] },
    { name: `${p}self_attn.o_proj.weight`, dtype, shape: [8, 8] },
    { name: `${p}mlp.gate_proj.weight`, dtype, shape: [16, 8] },
    { name: `${p}mlp.up_proj.weight`, dtype, shape: [16, 8] },
    { name: `${p}mlp.down_proj.weight`, dtype, shape: [8, 16] },
    { name: `${p}input_layernorm.weight`, dtype, shape: [8] },
    { name: `${p}post_attention_layernorm.weight`, dtype, shape: [8] },
  ];
}
