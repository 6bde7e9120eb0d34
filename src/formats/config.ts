/**
 * Hugging Face `config.json` → `TransformerDims` plus the few raw fields the architecture code needs.
 * The file is untrusted: every field is checked, and every problem is a `FormatError` naming the
 * file and the field.
 */
import { promises as fs } from 'node:fs';
import { FormatError, type StorageDtype, type TransformerDims } from './types';

/** The `model_type`s we can describe. */
export const SUPPORTED_MODEL_TYPES = [
  'llama', 'mistral', 'qwen2', 'qwen3', 'gemma', 'gemma2', 'phi3',
  'gpt2', 'gpt_neox', 'bert', 'roberta', 'distilbert',
] as const;
export type SupportedModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

/**
 * How a family names its tensors. Several model types share one naming scheme
 * (mistral, qwen2, gemma… all use Llama's `model.layers.N.self_attn.q_proj`).
 */
export type NamingFamily = 'llama' | 'phi3' | 'gpt2' | 'gpt_neox' | 'bert' | 'distilbert';

export interface HfConfig {
  /** The config file as given. */
  file: string;
  modelType: SupportedModelType;
  family: NamingFamily;
  dims: TransformerDims;
  /** False when `num_key_value_heads` was absent and defaulted to the head count. */
  kvHeadsExplicit: boolean;
  /** The output head shares the token embedding (no separate `lm_head` tensor). */
  tieWordEmbeddings: boolean;
  /** Which linear maps carry a bias (`qkv` covers q, k and v). */
  biases: { qkv: boolean; o: boolean; mlp: boolean };
  /** Rows of the learned position embedding (absent for RoPE models). */
  maxPositions?: number;
  /** BERT/RoBERTa token-type embedding rows. */
  typeVocabSize?: number;
  /** `torch_dtype` mapped to a storage dtype, when stated and recognised. */
  storageDtype?: StorageDtype;
  /** The parsed JSON object, untouched. */
  raw: Readonly<Record<string, unknown>>;
}

/** Bigger files are not configs; refuse before reading them into memory. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
/** Sanity limits: a config outside them is corrupt or hostile (and would make us build huge lists). */
const MAX_LAYERS = 4096;
const MAX_DIM = 1 << 24;

/** Reads and validates a `config.json`. */
export async function readHfConfig(path: string): Promise<HfConfig> {
  return parseHfConfig(await readJsonText(path, MAX_CONFIG_BYTES), path);
}

/** Reads a small JSON file as text, or throws a FormatError naming it. Shared with the adapter reader. */
export async function readJsonText(path: string, maxBytes: number): Promise<string> {
  let size: number;
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) throw new FormatError(path, 'is not a file');
    size = stat.size;
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError(path, describeFsError(e));
  }
  if (size > maxBytes) throw new FormatError(path, `is ${size} bytes, too large for a JSON config (limit ${maxBytes})`);
  try {
    return await fs.readFile(path, 'utf8');
  } catch (e) {
    throw new FormatError(path, describeFsError(e));
  }
}

/** Parses JSON text that must hold an object. */
export function parseJsonObject(text: string, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new FormatError(file, `invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FormatError(file, `expected a JSON object, got ${jsonKind(value)}`);
  }
  return value as Record<string, unknown>;
}

/** Validates the text of a `config.json` (exposed for tests and for in-memory configs). */
export function parseHfConfig(text: string, file: string): HfConfig {
  return hfConfigFromObject(parseJsonObject(text, file), file);
}

export function hfConfigFromObject(raw: Record<string, unknown>, file: string): HfConfig {
  const f = new FieldReader(raw, file);
  const modelType = raw.model_type;
  const supported = SUPPORTED_MODEL_TYPES.join(', ');
  if (modelType === undefined) throw new FormatError(file, `field 'model_type' is missing (supported: ${supported})`);
  if (typeof modelType !== 'string') throw new FormatError(file, `field 'model_type' must be a string, got ${jsonKind(modelType)}`);
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(modelType)) {
    throw new FormatError(file, `unsupported model_type '${printable(modelType)}' (supported: ${supported})`);
  }
  const type = modelType as SupportedModelType;
  const storageDtype = torchDtypeToStorage(raw.torch_dtype ?? raw.dtype);
  switch (type) {
    case 'gpt2':
      return gpt2Config(f, type, storageDtype);
    case 'gpt_neox':
      return gptNeoxConfig(f, type, storageDtype);
    case 'bert':
    case 'roberta':
      return bertConfig(f, type, storageDtype);
    case 'distilbert':
      return distilbertConfig(f, type, storageDtype);
    default:
      return llamaLikeConfig(f, type, storageDtype);
  }
}

function llamaLikeConfig(f: FieldReader, type: SupportedModelType, storageDtype: StorageDtype | undefined): HfConfig {
  const hiddenSize = f.dim('hidden_size');
  const numLayers = f.layers('num_hidden_layers');
  const numHeads = f.dim('num_attention_heads');
  const kv = f.optionalDim('num_key_value_heads');
  const numKeyValueHeads = kv ?? numHeads;
  const headDim = f.optionalDim('head_dim') ?? f.divide(hiddenSize, numHeads, 'hidden_size', 'num_attention_heads');
  if (numHeads % numKeyValueHeads !== 0) {
    throw new FormatError(f.file, `num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKeyValueHeads}`);
  }
  const attentionBias = f.optionalBool('attention_bias') ?? false;
  // Qwen2 always has q/k/v biases (its config has no switch for them); o_proj has none.
  const qkvBias = type === 'qwen2' ? true : attentionBias;
  const defaultTie = type === 'gemma' || type === 'gemma2';
  return {
    file: f.file,
    modelType: type,
    family: type === 'phi3' ? 'phi3' : 'llama',
    dims: {
      modelType: type,
      hiddenSize,
      numLayers,
      numHeads,
      numKeyValueHeads,
      headDim,
      intermediateSize: f.dim('intermediate_size'),
      vocabSize: f.dim('vocab_size'),
      usesRope: true,
      gatedMlp: true,
    },
    kvHeadsExplicit: kv !== undefined,
    tieWordEmbeddings: f.optionalBool('tie_word_embeddings') ?? defaultTie,
    biases: { qkv: qkvBias, o: type === 'qwen2' ? false : attentionBias, mlp: f.optionalBool('mlp_bias') ?? false },
    storageDtype,
    raw: f.raw,
  };
}

/** Field names of a family with plain multi-head attention (as many k/v heads as heads), an ungated MLP and biases everywhere. */
interface MultiHeadNames {
  family: NamingFamily;
  hidden: string;
  heads: string;
  layers: string;
}

/** What differs between those families, read once the hidden size is known. */
interface MultiHeadExtras {
  intermediateSize: number;
  usesRope: boolean;
  tieWordEmbeddings: boolean;
  maxPositions?: number;
  typeVocabSize?: number;
}

function multiHeadConfig(
  f: FieldReader,
  type: SupportedModelType,
  storageDtype: StorageDtype | undefined,
  names: MultiHeadNames,
  extras: (hiddenSize: number) => MultiHeadExtras,
): HfConfig {
  const hiddenSize = f.dim(names.hidden);
  const numHeads = f.dim(names.heads);
  const numLayers = f.layers(names.layers);
  const headDim = f.divide(hiddenSize, numHeads, names.hidden, names.heads);
  const { intermediateSize, usesRope, tieWordEmbeddings, maxPositions, typeVocabSize } = extras(hiddenSize);
  return {
    file: f.file,
    modelType: type,
    family: names.family,
    dims: {
      modelType: type,
      hiddenSize,
      numLayers,
      numHeads,
      numKeyValueHeads: numHeads,
      headDim,
      intermediateSize,
      vocabSize: f.dim('vocab_size'),
      usesRope,
      gatedMlp: false,
    },
    kvHeadsExplicit: false,
    tieWordEmbeddings,
    biases: { qkv: true, o: true, mlp: true },
    ...(maxPositions !== undefined ? { maxPositions } : {}),
    ...(typeVocabSize !== undefined ? { typeVocabSize } : {}),
    storageDtype,
    raw: f.raw,
  };
}

function gpt2Config(f: FieldReader, type: SupportedModelType, storageDtype: StorageDtype | undefined): HfConfig {
  return multiHeadConfig(f, type, storageDtype, { family: 'gpt2', hidden: 'n_embd', heads: 'n_head', layers: 'n_layer' }, (hiddenSize) => ({
    // GPT-2 leaves n_inner null to mean 4·n_embd.
    intermediateSize: f.optionalDim('n_inner') ?? 4 * hiddenSize,
    usesRope: false,
    tieWordEmbeddings: f.optionalBool('tie_word_embeddings') ?? true,
    maxPositions: f.optionalDim('n_positions') ?? 1024,
  }));
}

function gptNeoxConfig(f: FieldReader, type: SupportedModelType, storageDtype: StorageDtype | undefined): HfConfig {
  return multiHeadConfig(f, type, storageDtype, { family: 'gpt_neox', hidden: 'hidden_size', heads: 'num_attention_heads', layers: 'num_hidden_layers' }, () => ({
    intermediateSize: f.dim('intermediate_size'),
    usesRope: (f.optionalNumber('rotary_pct') ?? 0.25) > 0,
    tieWordEmbeddings: f.optionalBool('tie_word_embeddings') ?? false,
  }));
}

function bertConfig(f: FieldReader, type: SupportedModelType, storageDtype: StorageDtype | undefined): HfConfig {
  return multiHeadConfig(f, type, storageDtype, { family: 'bert', hidden: 'hidden_size', heads: 'num_attention_heads', layers: 'num_hidden_layers' }, () => ({
    intermediateSize: f.dim('intermediate_size'),
    usesRope: false,
    tieWordEmbeddings: true,
    maxPositions: f.optionalDim('max_position_embeddings') ?? (type === 'roberta' ? 514 : 512),
    typeVocabSize: f.optionalDim('type_vocab_size') ?? (type === 'roberta' ? 1 : 2),
  }));
}

function distilbertConfig(f: FieldReader, type: SupportedModelType, storageDtype: StorageDtype | undefined): HfConfig {
  return multiHeadConfig(f, type, storageDtype, { family: 'distilbert', hidden: 'dim', heads: 'n_heads', layers: 'n_layers' }, () => ({
    intermediateSize: f.dim('hidden_dim'),
    usesRope: false,
    tieWordEmbeddings: true,
    maxPositions: f.optionalDim('max_position_embeddings') ?? 512,
  }));
}

/** Typed access to config fields; each failure names the file and the field. */
class FieldReader {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly file: string,
  ) {}

  /** A required positive whole number no larger than MAX_DIM. */
  dim(name: string): number {
    const v = this.optionalDim(name);
    if (v === undefined) throw new FormatError(this.file, `field '${name}' is missing`);
    return v;
  }

  /** Absent or null → undefined; otherwise a positive whole number ≤ MAX_DIM. */
  optionalDim(name: string): number | undefined {
    return this.positiveInt(name, MAX_DIM);
  }

  layers(name: string): number {
    const v = this.positiveInt(name, MAX_LAYERS);
    if (v === undefined) throw new FormatError(this.file, `field '${name}' is missing`);
    return v;
  }

  optionalNumber(name: string): number | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new FormatError(this.file, `field '${name}' must be a number, got ${jsonKind(v)}`);
    }
    return v;
  }

  optionalBool(name: string): boolean | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw new FormatError(this.file, `field '${name}' must be true or false, got ${jsonKind(v)}`);
    return v;
  }

  /** `a / b` when b divides a, else an error naming both fields. */
  divide(a: number, b: number, aName: string, bName: string): number {
    if (a % b !== 0) throw new FormatError(this.file, `${aName} ${a} is not divisible by ${bName} ${b} (and no head_dim is given)`);
    return a / b;
  }

  private positiveInt(name: string, max: number): number | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number') throw new FormatError(this.file, `field '${name}' must be a number, got ${jsonKind(v)}`);
    if (!Number.isInteger(v) || v < 1) throw new FormatError(this.file, `field '${name}' must be a positive whole number, got ${v}`);
    if (v > max) throw new FormatError(this.file, `field '${name}' is ${v}, implausibly large (limit ${max})`);
    return v;
  }
}

const TORCH_DTYPES: Record<string, StorageDtype> = {
  float32: 'F32', float: 'F32', float16: 'F16', half: 'F16', bfloat16: 'BF16', float64: 'F64', double: 'F64',
};

function torchDtypeToStorage(v: unknown): StorageDtype | undefined {
  if (typeof v !== 'string') return undefined;
  return TORCH_DTYPES[v.replace(/^torch\./, '')];
}

/** 'a string', 'an array', 'null'…, for messages. */
export function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string "${printable(v.length > 40 ? `${v.slice(0, 40)}…` : v)}"`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v;
}

/** A string from a file made safe for a one-line message: control characters escaped. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return e instanceof Error ? e.message : String(e);
}
