/** Real small models on disk for the analysis tests: temp folders, safetensors written with the project's writer. */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBackend, type TensorBackend } from '../../../../src/engine/backend';
import { writeSafetensors, type TensorToWrite } from '../../../../src/formats/safetensors';
import { SeededRandom } from '../../../fixtures/makeExamples';

export const EXAMPLES = path.resolve(__dirname, '..', '..', '..', '..', '..', 'examples');

let backend: Promise<TensorBackend> | undefined;
/** The cpu backend (tiny matrices never reach it; it is loaded so reports can name it). */
export const testBackend = (): Promise<TensorBackend> => (backend ??= loadBackend('cpu'));

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `lora-lens-${prefix}-`));
}

/** Row-major `rows × cols` Gaussian matrix times `scale`. */
export function gaussian(rng: SeededRandom, rows: number, cols: number, scale = 1): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = rng.gaussian() * scale;
  return out;
}

export function identityPlusDiag(diag: readonly number[]): Float64Array {
  const D = diag.length;
  const out = new Float64Array(D * D);
  for (let i = 0; i < D; i++) out[i * D + i] = 1 + diag[i]!;
  return out;
}

export function identity(D: number): Float64Array {
  return identityPlusDiag(new Array<number>(D).fill(0));
}

/**
 * A sequential MLP checkpoint as `nn.Sequential(Linear, ReLU, …)` saves it: keys `0.weight`,
 * `0.bias`, `2.weight`, … Each weight is D×D ([out, in]).
 */
export async function writeMlp(file: string, weights: Float64Array[], D: number, dtype: 'F32' | 'F64' = 'F64'): Promise<void> {
  const tensors: TensorToWrite[] = [];
  weights.forEach((w, l) => {
    tensors.push({ name: `${2 * l}.weight`, dtype, shape: [D, D], data: w });
    tensors.push({ name: `${2 * l}.bias`, dtype, shape: [D], data: new Float64Array(D).fill(0.1) });
  });
  await writeSafetensors(file, tensors);
}

export interface LlamaDims {
  hidden: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
  vocab: number;
  layers: number;
}

export const SMALL_LLAMA: LlamaDims = { hidden: 32, heads: 4, kvHeads: 2, intermediate: 48, vocab: 40, layers: 1 };

/** Every tensor of a Llama checkpoint, name → [shape, data]; seeded. */
export function llamaTensors(dims: LlamaDims, seed: string): Map<string, { shape: number[]; data: Float64Array }> {
  const rng = new SeededRandom(seed);
  const { hidden: D, heads: H, kvHeads: Hkv, intermediate: I, vocab: V } = dims;
  const dh = D / H;
  const t = new Map<string, { shape: number[]; data: Float64Array }>();
  const mat = (name: string, rows: number, cols: number): void => void t.set(name, { shape: [rows, cols], data: gaussian(rng, rows, cols, 1 / Math.sqrt(cols)) });
  mat('model.embed_tokens.weight', V, D);
  for (let l = 0; l < dims.layers; l++) {
    const p = `model.layers.${l}`;
    mat(`${p}.self_attn.q_proj.weight`, H * dh, D);
    mat(`${p}.self_attn.k_proj.weight`, Hkv * dh, D);
    mat(`${p}.self_attn.v_proj.weight`, Hkv * dh, D);
    mat(`${p}.self_attn.o_proj.weight`, D, H * dh);
    mat(`${p}.mlp.gate_proj.weight`, I, D);
    mat(`${p}.mlp.up_proj.weight`, I, D);
    mat(`${p}.mlp.down_proj.weight`, D, I);
    t.set(`${p}.input_layernorm.weight`, { shape: [D], data: new Float64Array(D).fill(1) });
    t.set(`${p}.post_attention_layernorm.weight`, { shape: [D], data: new Float64Array(D).fill(1) });
  }
  t.set('model.norm.weight', { shape: [D], data: new Float64Array(D).fill(1) });
  mat('lm_head.weight', V, D);
  return t;
}

/** Adds `scale·u vᵀ` (Gaussian u, v) to rows [r0, r1) and columns [c0, c1) of `data` ([rows, cols]). */
export function addRankOne(rng: SeededRandom, data: Float64Array, cols: number, rowsRange: [number, number], colsRange: [number, number], scale = 0.5): void {
  const u = gaussian(rng, rowsRange[1] - rowsRange[0], 1);
  const v = gaussian(rng, colsRange[1] - colsRange[0], 1);
  for (let i = rowsRange[0]; i < rowsRange[1]; i++) {
    for (let j = colsRange[0]; j < colsRange[1]; j++) data[i * cols + j] += scale * u[i - rowsRange[0]]! * v[j - colsRange[0]]!;
  }
}

/** Writes config.json + model.safetensors of a Llama model into `dir`. */
export async function writeLlama(dir: string, dims: LlamaDims, tensors: Map<string, { shape: number[]; data: Float64Array }>, dtype: 'F32' | 'F64' = 'F32'): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: dims.hidden,
    intermediate_size: dims.intermediate,
    num_attention_heads: dims.heads,
    num_key_value_heads: dims.kvHeads,
    num_hidden_layers: dims.layers,
    head_dim: dims.hidden / dims.heads,
    vocab_size: dims.vocab,
    rope_theta: 10000,
    tie_word_embeddings: false,
    torch_dtype: dtype === 'F32' ? 'float32' : 'float64',
  };
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  await writeSafetensors(path.join(dir, 'model.safetensors'), [...tensors].map(([name, { shape, data }]) => ({ name, dtype, shape, data })));
}

export function cloneTensors(t: Map<string, { shape: number[]; data: Float64Array }>): Map<string, { shape: number[]; data: Float64Array }> {
  return new Map([...t].map(([k, v]) => [k, { shape: [...v.shape], data: Float64Array.from(v.data) }]));
}

export { SeededRandom };
