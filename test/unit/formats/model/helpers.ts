/** Shared helpers for the model-format tests: temp folders, synthetic headers, small files. */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CheckpointHeader, TensorRef } from '../../../../src/formats/types';
import { writeSafetensors, type TensorToWrite } from '../../../../src/formats/safetensors';

/** A fresh temp folder; remove it with `fs.rm(dir, { recursive: true })`. */
export function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'lora-lens-model-'));
}

/**
 * A checkpoint header built in memory, for pure name/shape mapping tests: byte offsets are laid
 * out as a real F32 file would have them, but no file exists.
 */
export function syntheticHeader(entries: readonly [name: string, shape: number[], dtype?: string][]): CheckpointHeader {
  let offset = 8;
  const tensors: TensorRef[] = entries.map(([name, shape, dtype = 'F32']) => {
    const byteLength = shape.reduce((p, d) => p * d, 1) * 4;
    const ref: TensorRef = { name, dtype, shape, file: '/synthetic/model.safetensors', byteOffset: offset, byteLength, analysable: dtype !== 'I8' };
    if (dtype === 'I8') ref.reason = 'I8 is a quantised integer dtype';
    offset += byteLength;
    return ref;
  });
  return { source: '/synthetic/model.safetensors', files: ['/synthetic/model.safetensors'], tensors, metadata: {}, totalBytes: offset - 8 };
}

/** A tensor of the given shape filled with 0.01·(i+1), for files whose values do not matter. */
export function filled(name: string, shape: number[], dtype: TensorToWrite['dtype'] = 'F32'): TensorToWrite {
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = 0.01 * ((i % 97) + 1);
  return { name, dtype, shape, data };
}

export async function writeModel(dir: string, file: string, tensors: TensorToWrite[]): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const p = path.join(dir, file);
  await writeSafetensors(p, tensors);
  return p;
}

export async function writeJsonFile(dir: string, file: string, value: unknown): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const p = path.join(dir, file);
  await fs.writeFile(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

/** The repository's examples folder (tests run from out/test/unit/formats/model). */
export const EXAMPLES = path.resolve(__dirname, '../../../../../examples');

/** Llama-style keys and shapes for `layers` blocks. */
export function llamaEntries(opts: { hidden: number; q: number; kv: number; inter: number; vocab: number; layers: number; prefix?: string }):
  [string, number[]][] {
  const { hidden: d, q, kv, inter, vocab, layers } = opts;
  const pre = opts.prefix ?? 'model.';
  const out: [string, number[]][] = [[`${pre}embed_tokens.weight`, [vocab, d]]];
  for (let i = 0; i < layers; i++) {
    const p = `${pre}layers.${i}`;
    out.push(
      [`${p}.input_layernorm.weight`, [d]],
      [`${p}.self_attn.q_proj.weight`, [q, d]],
      [`${p}.self_attn.k_proj.weight`, [kv, d]],
      [`${p}.self_attn.v_proj.weight`, [kv, d]],
      [`${p}.self_attn.o_proj.weight`, [d, q]],
      [`${p}.post_attention_layernorm.weight`, [d]],
      [`${p}.mlp.gate_proj.weight`, [inter, d]],
      [`${p}.mlp.up_proj.weight`, [inter, d]],
      [`${p}.mlp.down_proj.weight`, [d, inter]],
    );
  }
  out.push([`${pre}norm.weight`, [d]], ['lm_head.weight', [vocab, d]]);
  return out;
}
