/**
 * The contract between the model-file readers (`src/formats/`) and everything downstream.
 * Readers turn untrusted files into these plain, serialisable objects or throw a `FormatError`.
 * Tensor data is never held here: a `TensorRef` says where the bytes live, and
 * `readTensor` (src/formats/safetensors) fetches one tensor at a time.
 */

/** Storage dtypes as safetensors names them. Only some can be analysed (decoded to floats). */
export type StorageDtype =
  | 'F64' | 'F32' | 'F16' | 'BF16'
  | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL'
  | 'F8_E4M3' | 'F8_E5M2' | 'F8_E8M0' | 'F6_E2M3' | 'F6_E3M2' | 'F4';

export const ANALYSABLE_DTYPES: readonly StorageDtype[] = ['F64', 'F32', 'F16', 'BF16'];

/** Where one tensor's bytes live. Offsets are absolute byte positions in `file`. */
export interface TensorRef {
  /** The key exactly as stored in the checkpoint (may contain any characters: treat as data). */
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute path of the file holding the bytes. */
  file: string;
  /** Absolute byte offset of the first data byte in `file`. */
  byteOffset: number;
  byteLength: number;
  /** False when the dtype cannot be decoded to floats (I8, F8_*, …); `reason` says why. */
  analysable: boolean;
  reason?: string;
}

/** A single or sharded safetensors checkpoint: headers only. */
export interface CheckpointHeader {
  /** The file or index the user pointed at. */
  source: string;
  /** Every data file, in shard order. */
  files: string[];
  /** Tensors in the order they appear (shard order, then header order). */
  tensors: TensorRef[];
  /** `__metadata__` of each file, merged (later shards do not override earlier keys). */
  metadata: Record<string, string>;
  totalBytes: number;
}

/** The role of one linear map (or other parameter) in the architecture. */
export type ModuleRole =
  | 'q' | 'k' | 'v' | 'o' | 'qkv'
  | 'gate' | 'up' | 'down' | 'fc_in' | 'fc_out'
  | 'linear'
  | 'embedding' | 'norm' | 'lm_head' | 'other';

/** One weight matrix (or other parameter) of the model. */
export interface ModuleSpec {
  /** Checkpoint key without the `.weight` suffix, e.g. `model.layers.0.self_attn.q_proj`. */
  name: string;
  role: ModuleRole;
  /** 0-based transformer block or sequential layer index; undefined for embeddings, head, etc. */
  layer?: number;
  /** Shape in `y = W x` convention: [out, in] (Conv1D storage is transposed when read). */
  shape: number[];
  dtype: string;
  parameters: number;
  /** True when stored transposed as (in, out), like GPT-2's Conv1D. */
  transposed?: boolean;
  /** For fused projections (GPT-2 `c_attn`): row ranges of q, k and v in the [out, in] matrix. */
  fusedSlices?: { role: 'q' | 'k' | 'v'; rows: [number, number] }[];
  /** The weight tensor; absent in config-only specs. */
  weight?: TensorRef;
  bias?: TensorRef;
}

export type ArchitectureKind = 'transformer' | 'mlp' | 'unknown';

export interface TransformerDims {
  modelType: string;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  intermediateSize?: number;
  vocabSize?: number;
  usesRope: boolean;
  gatedMlp: boolean;
}

/** What every reader produces: one model, its architecture and its linear maps in order. */
export interface ModelSpec {
  /** The file or folder the spec was read from. */
  source: string;
  kind: ArchitectureKind;
  /** Present for transformers (from config.json and/or tensor names). */
  transformer?: TransformerDims;
  /** For sequential MLPs: the linear layers in forward order (their names in `modules`). */
  sequentialLayers?: string[];
  modules: ModuleSpec[];
  /** Tensors that could not be analysed and why (dtype, unknown role…). */
  notes: string[];
  checkpoint?: CheckpointHeader;
}

/** A PEFT LoRA adapter: adapter_config.json plus (optionally) its weights. */
export interface AdapterSpec {
  source: string;
  configFile: string;
  r: number;
  loraAlpha: number;
  useRslora: boolean;
  targetModules: string[] | string | null;
  rankPattern: Record<string, number>;
  alphaPattern: Record<string, number>;
  layersToTransform: number[] | null;
  baseModelNameOrPath: string | null;
  /** One entry per adapted base module, when weights are present. */
  pairs: AdapterPair[];
  weightsFile?: string;
}

export interface AdapterPair {
  /** The base module this adapter modifies (PEFT prefixes such as `base_model.model.` stripped). */
  baseModule: string;
  /** lora_A: shape [r, in]. */
  a: TensorRef;
  /** lora_B: shape [out, r]. */
  b: TensorRef;
  rank: number;
  alpha: number;
  /** alpha / r, or alpha / sqrt(r) with rsLoRA. */
  scale: number;
}

/** Every problem with an input file. `file` is the path as given; `message` is one line for people. */
export class FormatError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'FormatError';
  }
}
