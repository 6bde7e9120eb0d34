/**
 * Writes a constructed (or fitted) FNN adapter as a PEFT LoRA folder: `adapter_model.safetensors`
 * and `adapter_config.json`, for a PyTorch model whose linear layers are `layers.0 … layers.{L−1}`
 * (an `nn.ModuleList` of `nn.Linear(D, D)`) or the given module names (an `nn.Sequential`: `0`, `2`, …).
 *
 * - `base_model.model.layers.{l}.lora_A.weight` = Bᵀ, shape [r, in]; `…lora_B.weight` = A, shape
 *   [out, r] (PEFT's names are the paper's swapped: PEFT computes `lora_B @ lora_A`).
 * - Every layer is written at rank r = R. Layers that the construction gives fewer directions
 *   (r_l < R, e.g. 6, 6, 4 for D=16, m=3, R=6) are zero-padded: PEFT needs one r per module
 *   (or a rank_pattern, which cannot express r_l = 0).
 * - `lora_alpha = r`, so PEFT's scale alpha/r is 1 and `W + lora_B·lora_A` is the adapted weight.
 * - Biases: PEFT with `bias: "all"` saves and restores the FULL bias of every module, so
 *   `base_model.model.layers.{l}.bias` holds the adapted bias (frozen bias + delta), not the delta.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeSafetensors, type TensorToWrite } from '../../formats/safetensors';
import type { LayerAdapter } from './construction';

export interface PeftExportOptions {
  /** Rank written to every module (≥ every adapter's column count). */
  rank: number;
  /** Adapted biases, one per layer (written with `bias: "all"`); omit for frozen biases (`bias: "none"`). */
  biases?: readonly Float64Array[];
  /** Storage dtype; PEFT saves F32 by default. */
  dtype?: 'F32' | 'F64';
  /** Extra `__metadata__` entries (strings). */
  metadata?: Record<string, string>;
  /** The frozen model's module name of each layer (e.g. `net.0`); default `layers.{l}`. */
  moduleNames?: readonly string[];
}

/** Module name of frozen layer l (0-based) in the exported model. */
export function fnnModuleName(layerIndex: number): string {
  return `layers.${layerIndex}`;
}

/**
 * Writes the adapter folder (created if missing). Returns the two file paths.
 * @param adapters one per frozen layer, in order; `a`, `b` of shape [D, r_l] with r_l ≤ rank
 */
export async function exportPeftAdapter(
  folder: string,
  adapters: readonly LayerAdapter[],
  options: PeftExportOptions,
): Promise<{ configFile: string; weightsFile: string }> {
  const { rank } = options;
  const dtype = options.dtype ?? 'F32';
  if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`exportPeftAdapter: rank must be a positive whole number, got ${rank}`);
  if (options.moduleNames && options.moduleNames.length !== adapters.length) {
    throw new RangeError(`exportPeftAdapter: ${options.moduleNames.length} module names for ${adapters.length} layers`);
  }
  const moduleName = (l: number): string => options.moduleNames?.[l] ?? fnnModuleName(l);
  if (options.biases && options.biases.length !== adapters.length) {
    throw new RangeError(`exportPeftAdapter: ${options.biases.length} biases for ${adapters.length} layers`);
  }
  const tensors: TensorToWrite[] = [];
  adapters.forEach((adapter, l) => {
    const out = adapter.a.rows;
    const inp = adapter.b.rows;
    const rl = adapter.a.cols;
    if (rl > rank || adapter.b.cols !== rl) {
      throw new RangeError(`exportPeftAdapter: layer ${l} has factors [${out}, ${rl}] and [${inp}, ${adapter.b.cols}] for rank ${rank}`);
    }
    const loraA = new Float64Array(rank * inp); // Bᵀ, zero-padded rows
    const loraB = new Float64Array(out * rank); // A, zero-padded columns
    for (let k = 0; k < rl; k++) {
      for (let j = 0; j < inp; j++) loraA[k * inp + j] = adapter.b.data[j * rl + k];
      for (let i = 0; i < out; i++) loraB[i * rank + k] = adapter.a.data[i * rl + k];
    }
    const prefix = `base_model.model.${moduleName(l)}`;
    tensors.push({ name: `${prefix}.lora_A.weight`, dtype, shape: [rank, inp], data: loraA });
    tensors.push({ name: `${prefix}.lora_B.weight`, dtype, shape: [out, rank], data: loraB });
    const bias = options.biases?.[l];
    if (bias) tensors.push({ name: `${prefix}.bias`, dtype, shape: [bias.length], data: Float64Array.from(bias) });
  });
  await fs.mkdir(folder, { recursive: true });
  const weightsFile = path.join(folder, 'adapter_model.safetensors');
  const configFile = path.join(folder, 'adapter_config.json');
  await writeSafetensors(weightsFile, tensors, { format: 'pt', ...options.metadata });
  const config = {
    peft_type: 'LORA',
    task_type: null,
    base_model_name_or_path: null,
    r: rank,
    lora_alpha: rank,
    lora_dropout: 0,
    target_modules: adapters.map((_, l) => moduleName(l)),
    bias: options.biases ? 'all' : 'none',
    fan_in_fan_out: false,
    use_rslora: false,
    init_lora_weights: true,
    inference_mode: true,
    modules_to_save: null,
  };
  await fs.writeFile(configFile, JSON.stringify(config, null, 2) + '\n');
  return { configFile, weightsFile };
}
