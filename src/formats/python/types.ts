/**
 * What LoRA Lens reads out of PyTorch model source: plain, serialisable findings with exact source
 * ranges for the editor's inline hints.
 *
 * Positions follow VS Code's `Position`: 0-based line and character, characters counted in UTF-16
 * code units, lines split at `\r\n`, `\r` or `\n`. Ranges are half-open (`end` is just past the
 * last character).
 */

export interface SourcePosition {
  line: number;
  character: number;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

/**
 * A value the reader could not compute from the source alone. `unresolved` is the expression's
 * exact source text ('' when the argument is absent); `reason` says why, for hovers.
 */
export interface Unresolved {
  unresolved: string;
  reason: string;
}

/** Either the exact value or the source text it could not be computed from. Never a guess. */
export type Resolved<T> = T | Unresolved;

export function isUnresolved<T>(value: Resolved<T>): value is Unresolved {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'unresolved' in value;
}

/**
 * A Python literal value as JSON can carry it. Dicts are entry lists (Python keys need not be
 * strings, and an entry list can never be mistaken for an `Unresolved`).
 */
export type PyValue = number | string | boolean | null | PyValue[] | PyDict;
export interface PyDict {
  dict: [PyValue, PyValue][];
}

/** One argument of a recognised call. */
export interface ArgumentFinding<T> {
  value: Resolved<T>;
  /** The whole argument (`r=8` for a keyword); absent when PyTorch's default applies. */
  range?: SourceRange;
  /** True when the argument is absent and `value` is the library's documented default. */
  isDefault: boolean;
}

/** `nn.Linear(in_features, out_features, bias=True)`. */
export interface LinearFinding {
  range: SourceRange;
  /** The callee as written, e.g. `nn.Linear`. */
  callee: string;
  inFeatures: Resolved<number>;
  outFeatures: Resolved<number>;
  bias: Resolved<boolean>;
  /** Ranges of the arguments that are present (keyword included for keyword arguments). */
  argumentRanges: { inFeatures?: SourceRange; outFeatures?: SourceRange; bias?: SourceRange };
  /**
   * The module path PyTorch would give this layer relative to its owner, when the source shows it:
   * `q_proj` (`self.q_proj = …`), `mlp.0` (inside `self.mlp = nn.Sequential(…)`), `layers.*`
   * (one template repeated by a comprehension). Absent for a free-standing call.
   */
  modulePath?: string;
}

/** One entry of a stack, in forward order. */
export type StackLayer =
  | { kind: 'linear'; linear: LinearFinding }
  | { kind: 'activation'; name: string; range: SourceRange }
  /** Any other module call (Dropout, LayerNorm, …); it does not change the width chain. */
  | { kind: 'module'; name: string; range: SourceRange }
  /** A comprehension `*[<layers> for _ in range(count)]`, listed once as a template. */
  | { kind: 'repeat'; count: Resolved<number>; layers: StackLayer[]; range: SourceRange }
  /** An entry the reader cannot see into (a variable, a splatted name, …). */
  | { kind: 'unknown'; source: string; range: SourceRange };

export type StackKind = 'sequential' | 'moduleList' | 'moduleClass';

/** A width-changing mismatch between consecutive Linear layers of an `nn.Sequential`. */
export interface WidthMismatch {
  /** The later layer, whose `in_features` differs from the previous `out_features`. */
  range: SourceRange;
  previousOut: number;
  nextIn: number;
}

export interface StackFinding {
  kind: StackKind;
  /** The call (`nn.Sequential(…)`) or, for a module class, the whole `class` statement. */
  range: SourceRange;
  /** Class name for `moduleClass`; assignment target (`self.mlp`, `model`) otherwise, if any. */
  name?: string;
  nameRange?: SourceRange;
  layers: StackLayer[];
  /**
   * Chained widths: in_features of the first Linear, then out_features of each Linear, with
   * repeats expanded; when a repeat count is unresolved its template is counted once and `depth`
   * is unresolved. For `moduleClass` the order is assignment order, not necessarily data flow.
   */
  widths: Resolved<number>[];
  /** Number of Linear layers after expanding repeats. */
  depth: Resolved<number>;
  /** Only checked for `sequential` (the one container whose order is the data flow). */
  mismatches: WidthMismatch[];
}

export interface MultiheadAttentionFinding {
  kind: 'multiheadAttention';
  range: SourceRange;
  callee: string;
  embedDim: ArgumentFinding<number>;
  numHeads: ArgumentFinding<number>;
  kdim: ArgumentFinding<number | null>;
  vdim: ArgumentFinding<number | null>;
  bias: ArgumentFinding<boolean>;
  /** embed_dim / num_heads when both resolve and divide evenly. */
  headDim: Resolved<number>;
}

export interface TransformerLayerFinding {
  kind: 'transformerEncoderLayer' | 'transformerDecoderLayer';
  range: SourceRange;
  callee: string;
  dModel: ArgumentFinding<number>;
  nhead: ArgumentFinding<number>;
  dimFeedforward: ArgumentFinding<number>;
  headDim: Resolved<number>;
}

export interface TransformerStackFinding {
  kind: 'transformerEncoder' | 'transformerDecoder';
  range: SourceRange;
  callee: string;
  /** The layer argument; `finding` is set when it is an inline call or a name assigned one earlier in the same scope. */
  layer: { source: string; range?: SourceRange; finding?: TransformerLayerFinding };
  numLayers: ArgumentFinding<number>;
}

export interface TransformerFinding {
  kind: 'transformer';
  range: SourceRange;
  callee: string;
  dModel: ArgumentFinding<number>;
  nhead: ArgumentFinding<number>;
  numEncoderLayers: ArgumentFinding<number>;
  numDecoderLayers: ArgumentFinding<number>;
  dimFeedforward: ArgumentFinding<number>;
  headDim: Resolved<number>;
}

export type AttentionFinding =
  | MultiheadAttentionFinding
  | TransformerLayerFinding
  | TransformerStackFinding
  | TransformerFinding;

/** One keyword of a `LoraConfig(…)` call. */
export interface LoraField<T> {
  value: Resolved<T>;
  /** The whole keyword argument, e.g. `r=8` (an inlay hint goes after its end). */
  range: SourceRange;
  valueRange: SourceRange;
}

export interface LoraConfigFinding {
  range: SourceRange;
  callee: string;
  r?: LoraField<number>;
  loraAlpha?: LoraField<number>;
  loraDropout?: LoraField<number>;
  /** A list of module-name suffixes, or one string (a regex, or `all-linear`); null = PEFT's per-model default. */
  targetModules?: LoraField<string[] | string | null>;
  excludeModules?: LoraField<string[] | string | null>;
  /** Entries `[pattern, rank]` in source order (later duplicates win, as in Python). */
  rankPattern?: LoraField<[string, number][]>;
  alphaPattern?: LoraField<[string, number][]>;
  layersToTransform?: LoraField<number | number[] | null>;
  layersPattern?: LoraField<string | string[] | null>;
  useRslora?: LoraField<boolean>;
  useDora?: LoraField<boolean>;
  /** True when `**kwargs` is passed: absent keywords may still be set. */
  hasKeywordSplat: boolean;
}

/** A module-level name assigned exactly once in the whole file, with its value. */
export interface ConstantFinding {
  name: string;
  value: PyValue;
  /** The name at its assignment. */
  range: SourceRange;
  valueRange: SourceRange;
}

export interface SyntaxErrorFinding {
  kind: 'error' | 'missing';
  range: SourceRange;
  /** For `missing`: the token the parser inserted, e.g. `)`. */
  missing?: string;
}

export interface PythonFindings {
  linears: LinearFinding[];
  stacks: StackFinding[];
  attention: AttentionFinding[];
  loraConfigs: LoraConfigFinding[];
  constants: ConstantFinding[];
  syntaxErrors: SyntaxErrorFinding[];
  /** Set when the document was not analysed (for instance, too large); every list is then empty. */
  skipped?: string;
}
