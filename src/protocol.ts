/**
 * The ONE file of message types shared by the extension host, the engine process and the webview
 * (the lsp_ext.ts pattern: a literal method name and typed params/result per message).
 * Plain types only: no imports, so the browser bundle can use it too.
 */

/** Tensor backends, in the order `auto` tries them. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

export interface BackendAttempt {
  name: BackendName;
  /** Why it did not load; absent for the one that did. */
  error?: string;
}

/** engine/status: what the engine runs on and what it uses. */
export interface EngineStatus {
  pid: number;
  /** Node.js version of the engine process. */
  node: string;
  uptimeSeconds: number;
  /** Null until a backend has been loaded (it loads on the first request that needs tensors). */
  backend: { name: BackendName; version: string; device: string } | null;
  attempts: BackendAttempt[];
  memory: { rssBytes: number; heapUsedBytes: number; externalBytes: number; tensorBytes: number };
}

export interface EngineStatusParams {
  /** Load the tensor backend first (so the status names it). */
  loadBackend?: boolean;
  backend?: BackendPreference;
}

/** Progress notification sent while a request runs. */
export interface EngineProgress {
  /** The request's token, as given in its params. */
  token: string;
  /** 0..1 */
  fraction: number;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// The Report: one typed, serialisable object that every surface renders (panel, hints, CLI text,
// Markdown, HTML, JSON, PEFT export). JSON reports are a stable interface: see schema/report.schema.json.
// ---------------------------------------------------------------------------------------------

export type Guarantee = 'exact' | 'lower-bound' | 'heuristic';
export type ReportKind = 'architecture' | 'fnn' | 'transformer' | 'adapter';

/** Which rule produced a number and how far it can be trusted (mirrors src/theory RuleInfo). */
export interface RuleRef {
  rule: string;
  ruleText: string;
  guarantee: Guarantee;
  reconstructed?: boolean;
  caveats?: string[];
}

/** The numerical-rank tolerance used (theory §7): tol = max(m, n) · ε_dtype · scale, per matrix. */
export interface ToleranceInfo {
  /** 'dtype': the dtype-aware rule; 'relative': tol = value · σ₁ (setting / --tolerance). */
  mode: 'dtype' | 'relative';
  /** For 'relative': the factor. For 'dtype': the multiplier applied to max(m,n)·ε·scale (1 by default). */
  value: number;
  description: string;
}

export interface ModelRef {
  /** Path as given by the user. */
  source: string;
  architecture: string;
  parameters: number;
}

/** Spectral and Frobenius error left after keeping `rank` singular values (one entry per block or module). */
export interface ErrorRow {
  rank: number;
  spectral: number[];
  frobenius: number[];
}

/** One weight matrix in an architecture-only report. */
export interface ArchitectureModule {
  name: string;
  role: string;
  layer: number | null;
  /** [out, in] */
  shape: [number, number];
  /** min(in, out): no LoRA rank beyond it changes anything (exact). */
  maxUsefulRank: number;
  /** LoRA parameters per unit of rank: in + out. */
  loraParametersPerRank: number;
  fullUpdateParameters: number;
  /** Smallest rank at which a full update is no more expensive than LoRA: ⌈in·out/(in+out)⌉. */
  breakEvenRank: number;
}

export interface ArchitectureReport {
  transformer?: {
    modelType: string;
    hiddenSize: number;
    numLayers: number;
    numHeads: number;
    numKeyValueHeads: number;
    headDim: number;
    usesRope: boolean;
    /** ⌈D/2⌉ for the paper's simplified Transformer. */
    worstCase: RuleRef & { requiredRank: number };
  };
  fnn?: {
    width: number;
    frozenDepth: number;
    targetDepth: number;
    worstCase: RuleRef & { requiredRank: number; partition: number[][]; depthRatio: number; headline: number };
  };
  modules: ArchitectureModule[];
  /** Σ (in + out) over `modules`: LoRA parameters per unit of rank when every listed module is adapted. */
  loraParametersPerRankTotal: number;
}

/** One partition of an FNN pair with its discrepancies. */
export interface FnnPartitionReport extends RuleRef {
  /** 1-based frozen-layer indices of each target layer's block. */
  partition: number[][];
  discrepancyRanks: number[];
  /** σ(E_i), descending, one array per block. */
  discrepancySpectra: number[][];
  /** Tolerance used for each block's rank. */
  tolerances: number[];
  requiredRank: number;
  /** Ranks 0…D: per-block error σ_{R|P_i|+1}(E_i) and its Frobenius counterpart. */
  blockErrors: ErrorRow[];
}

export interface FnnReport {
  frozenDepth: number;
  targetDepth: number;
  width: number;
  uniform: FnnPartitionReport;
  best: FnnPartitionReport & { oracleCalls: number; candidateBlocks: number };
  /** Distinct block discrepancies whose spectrum was computed (uniform and optimal search together). */
  spectraComputed: number;
  /**
   * Whole-network bounds at each rank 0…D: `bound` for the uniform partition, `best` for the optimal
   * one. `input` states the input distribution assumed (x ~ N(0, I) unless given).
   */
  bounds: {
    input: string;
    rigorous: RuleRef & { byRank: FnnBoundRow[] };
    paper: RuleRef & { byRank: FnnBoundRow[] };
  };
  nonSingularity: RuleRef & {
    status: 'met' | 'not-met' | 'unchecked';
    singular: string[];
    /** What was checked, in words. */
    checked: string;
    /** Every matrix checked, with its smallest singular value and the tolerance it was held to. */
    checks: { label: string; minSingularValue: number; tolerance: number }[];
  };
  finalLayerTuning?: RuleRef & { loraRank: number; loraParameters: number; finalLayerParameters: number };
}

export interface FnnBoundRow {
  rank: number;
  /** Uniform partition. */
  bound: number;
  /** Optimal partition. */
  best: number;
}

export interface TransformerModuleReport {
  /** Checkpoint key without `.weight`. */
  name: string;
  role: string;
  layer: number | null;
  /** [out, in] */
  shape: [number, number];
  dtype: string;
  /** 'unchanged' (ΔW = 0), 'changed', or 'invalid' (NaN/Inf; see `problem`). */
  status: 'unchanged' | 'changed' | 'invalid';
  problem?: string;
  deltaRank: number;
  tolerance: number;
  /** σ(ΔW), descending (all min(in, out) values; empty for unchanged and invalid modules, which are all zero or unknown). */
  singularValues: number[];
  /** ‖ΔW‖_F (computed from the float64 difference). */
  frobeniusNorm: number;
  /** How `tolerance` was scaled: σ₁(W̄) + σ₁(W), each a power-iteration estimate. */
  toleranceScale: number;
  /**
   * Errors of the best rank-r update for r = 0 … min(deltaRank + 1, min(in, out)): index r is rank r
   * (beyond, every error is below the tolerance). Retained energy Σ_{k≤r}σ_k²/Σσ_k².
   */
  errors: { spectral: number[]; frobenius: number[]; retainedEnergy: number[] };
  /** The errors at the report's summary rank (AnalyzeParams.rank), when one was given. */
  atRank?: { rank: number; spectral: number; frobenius: number; retainedEnergy: number };
  /** LoRA at rank r reproduces ΔW exactly iff r ≥ deltaRank. */
  requirement: RuleRef & { requiredRank: number };
  breakEvenRank: number;
}

export interface HeadGapReport {
  layer: number;
  /** 0-based query head; `kvHead` is its key/value head g(h). */
  head: number;
  kvHead: number;
  /** 'qk': W_K^{g(h)ᵀ} W_Q^h (attention scores); 'ov': W_O^h W_V^{g(h)} (values). */
  product: 'qk' | 'ov';
  gap: number;
  /** ⌈gap/2⌉, a lower bound on the rank of LoRA on both factors. */
  requiredRank: number;
  caveats: string[];
}

export interface RankTarget {
  kind: 'energy' | 'error';
  /** Energy: fraction of Σσ² to keep (e.g. 0.99). Error: relative spectral error σ_{r+1}/σ₁ allowed. */
  value: number;
}

export interface TransformerReport {
  modules: TransformerModuleReport[];
  heads: HeadGapReport[];
  /** The recommendation for `target`: PEFT rank_pattern (changed modules only), keyed by module name. */
  target: RankTarget;
  rankPattern: Record<string, number>;
  /** The largest value of rankPattern (PEFT's `r`); 0 when nothing changed. */
  r: number;
  /** Modules whose recommended rank makes a full update cheaper than LoRA (r·(in+out) > in·out). */
  fullUpdateCheaper: { name: string; rank: number; loraParameters: number; fullParameters: number }[];
  /** Largest ⌈G/2⌉ over all heads and both products (a lower bound), 0 without attention. */
  headLowerBound: number;
}

export interface AdapterPairReport {
  baseModule: string;
  configuredRank: number;
  effectiveRank: number;
  tolerance: number;
  /** σ(scale · B·A), descending, `configuredRank` values. */
  singularValues: number[];
  /** configuredRank − effectiveRank */
  wastedRank: number;
  scale: number;
  /** Architecture bound min(in, out) of the base matrix, when known. */
  maxUsefulRank: number | null;
  /** [out, in] of B·A. */
  shape: [number, number];
  /** r·(in+out) > in·out: a full update of this matrix would be cheaper than the configured LoRA. */
  fullUpdateCheaper: boolean;
}

export interface AdapterReport {
  r: number;
  loraAlpha: number;
  useRslora: boolean;
  targetModules: string[] | string | null;
  rankPattern: Record<string, number>;
  baseModel: string | null;
  pairs: AdapterPairReport[];
  /** Architecture thresholds of the base model, when it could be read. */
  baseThresholds?: ArchitectureReport['transformer'];
  /** A rank_pattern with each pair's effective rank (what the adapter actually uses). */
  effectiveRankPattern: Record<string, number>;
  /** Configured ranks against the base's thresholds, one sentence each (empty without a base). */
  thresholdFindings: string[];
  /** Total configured rank minus total effective rank over all pairs. */
  wastedRankTotal: number;
}

export interface Report {
  schemaVersion: 1;
  kind: ReportKind;
  tool: { name: 'lora-lens'; version: string };
  createdAt: string;
  /** Null when no tensor was touched (architecture-only reports). */
  backend: { name: BackendName; version: string; device: string } | null;
  tolerance: ToleranceInfo;
  models: { base: ModelRef; target?: ModelRef };
  seconds: number;
  /** Largest estimated working memory of one step (bytes), checked against the cap before reading. */
  estimatedMemoryBytes: number;
  /** Problems that did not stop the analysis (a module with NaN, a skipped dtype, …). */
  notes: string[];
  architecture?: ArchitectureReport;
  fnn?: FnnReport;
  transformer?: TransformerReport;
  adapter?: AdapterReport;
}

export interface AnalyzeParams {
  /** Correlates progress notifications with this request. */
  token: string;
  base: string;
  target?: string;
  /** FNN pairs: target depth when not implied by the target checkpoint; architecture-only FNN analysis. */
  targetDepth?: number;
  /** Rank at which summaries are given (panel's initial budget). */
  rank?: number;
  rankTarget?: RankTarget;
  backend?: BackendPreference;
  tolerance?: ToleranceInfo;
  /** Refuse models whose estimated working memory exceeds this (bytes). Default 4 GiB. */
  memoryCapBytes?: number;
  /** FNN pairs: E[xxᵀ] = inputScale² · I for the whole-network bounds (default 1: x ~ N(0, I)). */
  inputScale?: number;
}

/** Method names and their params/results. */
export interface EngineRequests {
  'engine/status': { params: EngineStatusParams; result: EngineStatus };
  'engine/analyze': { params: AnalyzeParams; result: Report };
  /** Validation by training (issue 6); progress as engine/progress with `token`. */
  'engine/validate': { params: ValidationRequest & { token: string; backend?: BackendPreference }; result: ValidationResult };
  /** The paper's construction on the user's FNN pair, written as a PEFT adapter (issue 6). */
  'engine/construct': { params: ConstructionRequest & { token: string }; result: ConstructionSummary };
}

export interface EngineNotifications {
  'engine/progress': EngineProgress;
}

export type EngineMethod = keyof EngineRequests;

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// safetensors viewer (custom editor `loraLens.safetensorsViewer`): extension host ⇄ webview.
// Every string here that comes from the file (names, dtypes, metadata) is untrusted data: the
// webview renders it escaped, with control characters made visible.
// ─────────────────────────────────────────────────────────────────────────────────────────────────

/** One tensor of the viewed file, as listed in the header. */
export interface SafetensorsViewerTensor {
  /** The key exactly as stored (untrusted). */
  name: string;
  dtype: string;
  shape: number[];
  /** Product of the shape (1 for a scalar). */
  parameters: number;
  bytes: number;
  /** Role recognised from the name ('q', 'down', 'norm', 'embedding', …); absent when unknown. */
  role?: string;
  /** False for dtypes the analysis cannot decode (I8, F8_*, …); `reason` says why. */
  analysable: boolean;
  reason?: string;
}

/** Tensors that belong together: the embeddings, one block of a layer stack, the head, the rest. */
export interface SafetensorsViewerGroup {
  /** Stable id (for remembering which groups are open). */
  id: string;
  kind: 'embeddings' | 'layer' | 'head' | 'other';
  /** For people: "Embeddings", "Layer 3", "Head", "Other" (built from untrusted text for unknown stacks). */
  label: string;
  /** Key prefix shared by the group's tensors (e.g. `model.layers.3.`), shown dimmed; may be empty. */
  prefix: string;
  /** Layer index for kind 'layer'. */
  layer?: number;
  tensors: SafetensorsViewerTensor[];
  parameters: number;
  bytes: number;
  /** Distinct dtypes of the group, most bytes first. */
  dtypes: string[];
}

/** Totals of one dtype over the file. */
export interface SafetensorsViewerDtype {
  dtype: string;
  tensors: number;
  parameters: number;
  bytes: number;
  analysable: boolean;
}

/** Everything the viewer shows about one file (headers only: no tensor data is read). */
export interface SafetensorsViewerModel {
  fileName: string;
  filePath: string;
  fileSize: number;
  /** Bytes of the JSON header (after the 8-byte length). */
  headerBytes: number;
  tensorCount: number;
  totalParameters: number;
  /** Sum of the tensors' data bytes. */
  dataBytes: number;
  analysableTensors: number;
  /** Most bytes first. */
  dtypes: SafetensorsViewerDtype[];
  /** `__metadata__`, in file order (untrusted keys and values). */
  metadata: { key: string; value: string }[];
  /** One line on the architecture recognised from the names, e.g. "Llama-style transformer · 2 blocks". */
  architecture?: string;
  /** Things worth knowing (part of a sharded checkpoint, …). */
  notes: string[];
  /** Embeddings first, then blocks in layer order, then the head, then everything else. */
  groups: SafetensorsViewerGroup[];
}

/** Extension host → viewer webview. */
export type SafetensorsViewerHostMessage =
  | { type: 'safetensorsViewer/show'; model: SafetensorsViewerModel }
  | { type: 'safetensorsViewer/error'; file: string; problem: string }
  | { type: 'safetensorsViewer/loading'; file: string };

/** What the webview rendered, reported back (the integration tests wait on it). */
export interface SafetensorsViewerRendered {
  view: 'model' | 'error';
  /** Groups and tensor rows currently in the DOM. */
  groups: number;
  rows: number;
  /** The error text as displayed, for view 'error'. */
  errorText?: string;
}

/** Viewer webview → extension host. */
export type SafetensorsViewerWebviewMessage =
  | { type: 'safetensorsViewer/ready' }
  | { type: 'safetensorsViewer/analyze' }
  | { type: 'safetensorsViewer/reload' }
  | { type: 'safetensorsViewer/openAsText' }
  | { type: 'safetensorsViewer/copy'; text: string }
  | { type: 'safetensorsViewer/rendered'; rendered: SafetensorsViewerRendered };

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// Analysis panel (webview `loraLens.analysis`): extension host ⇄ webview. The Report's strings come
// from model files (untrusted): the webview renders them as text only.
// ─────────────────────────────────────────────────────────────────────────────────────────────────

/** Export formats the panel's buttons offer (the first three through `loraLens.exportDesignReview`). */
export type PanelExportFormat = 'markdown' | 'html' | 'json' | 'peft';

/** What the panel keeps with `setState` (so a reload restores it through the serializer). */
export interface AnalysisPanelState {
  key: string;
  title: string;
  report: Report;
  budget: number;
  /** Row id of the selected module/block. */
  selected?: string;
  sort?: { key: string; direction: 'asc' | 'desc' };
  /** FNN: which partition the table shows. */
  plan?: 'best' | 'uniform';
}

/** What the webview rendered, reported back (tests wait on it; the host keeps the latest budget). */
export interface AnalysisPanelRendered {
  key: string;
  kind: ReportKind;
  budget: number;
  /** Table rows in the DOM. */
  rows: number;
  headRows: number;
  selected?: string;
  /** Figures (SVG) currently shown. */
  figures: number;
  /** Milliseconds the last budget update took in the webview (metrics + DOM), when there was one. */
  lastUpdateMs?: number;
}

/** Extension host → analysis panel. */
export type HostToPanel =
  | { type: 'panel/show'; state: AnalysisPanelState }
  | { type: 'panel/setBudget'; budget: number };

/** Analysis panel → extension host. */
export type PanelToHost =
  | { type: 'panel/ready' }
  | { type: 'panel/rendered'; rendered: AnalysisPanelRendered }
  | { type: 'panel/budget'; budget: number }
  | { type: 'panel/select'; id: string }
  | { type: 'panel/export'; format: PanelExportFormat }
  | { type: 'panel/error'; message: string };

// ---------------------------------------------------------------------------------------------
// Validation by training (issue 6): the paper's construction and gradient-descent LoRA fitted on
// random FNNs, test MSE against rank. `lora-lens validate --json` prints a ValidationResult.
// ---------------------------------------------------------------------------------------------

/** `construction`: theory §2's explicit adapters; `gradient`: Adam on LoRA; `final-layers`: Adam on the last k layers. */
export type ValidationMethod = 'construction' | 'gradient' | 'final-layers';
export type ValidationBiasMode = 'tunable' | 'frozen';

/** What to run: one (width, L, L̄) setting, several ranks, methods and seeds. */
export interface ValidationRequest {
  width: number;
  frozenDepth: number;
  targetDepth: number;
  /** LoRA ranks to try (each 1…width). */
  ranks: number[];
  /** Number of random (frozen, target) pairs; seeds are `baseSeed + 0 … seeds − 1`. */
  seeds: number;
  methods: ValidationMethod[];
  /** Bias modes of `construction` and `gradient` (both for the ablation). `final-layers` tunes its layers' biases. */
  biasModes: ValidationBiasMode[];
  /** Adam steps per run (the authors use 5000). */
  steps: number;
  /** Fresh Gaussian inputs per step (the authors use 256). */
  batchSize: number;
  /** Grid searched per run; the run with the best validation MSE is kept (authors: 1e-2, 1e-3, 1e-4). */
  learningRates: number[];
  /** Test inputs per seed (the authors use 5000). */
  testSamples: number;
  validationSamples: number;
  baseSeed: number;
  /** 1-based partition of frozen layers into L̄ blocks; default uniform. */
  partition?: number[][];
}

/** `engine/construct` / `lora-lens construct`: the explicit construction (theory §2) on two checkpoints. */
export interface ConstructionRequest {
  /** Sequential MLP checkpoints (file or folder), every layer D×D; the frozen one at least as deep. */
  frozen: string;
  target: string;
  rank: number;
  /** 1-based consecutive blocks of frozen layers, one per target layer; default uniform. */
  partition?: number[][];
  /** The PEFT adapter folder to write (created if missing). */
  outFolder: string;
  /** Storage of the adapter; default F64 (the construction's inner biases can exceed what float32 holds). */
  dtype?: 'F64' | 'F32';
  /** Inputs x ~ N(0, I) the inner biases are fitted on, and as many fresh ones for the check; default 5000. */
  samples?: number;
  seed?: number;
  /** Replace adapter files already in the folder (input files never). */
  overwrite?: boolean;
}

export interface ConstructionSummary {
  rank: number;
  partition: number[][];
  /** Every block has R·|P_i| ≥ rank(E_i) (ranks with the storage dtype's tolerance). */
  exactClaimed: boolean;
  blocks: {
    targetLayer: number;
    layers: number[];
    discrepancyRank: number;
    rankBudget: number;
    predictedSpectralError: number;
    measuredSpectralError: number;
  }[];
  check: {
    samples: number;
    /** MSE of the frozen model against the target, on the fresh inputs. */
    frozenMse: number;
    adaptedMseOnFitInputs: number;
    adaptedMseOnFreshInputs: number;
    /** The adapter as written (rounded to its dtype), on the fresh inputs. */
    storedMseOnFreshInputs: number;
    largestBias: number;
  };
  dtype: 'F64' | 'F32';
  files: { configFile: string; weightsFile: string };
  notes: string[];
}

/** One point of a curve: one method at one rank (median over seeds). */
export interface ValidationCurvePoint {
  method: ValidationMethod;
  bias: ValidationBiasMode;
  /** LoRA rank; for `final-layers`, the LoRA rank with the nearest parameter count. */
  rank: number;
  /** Trainable parameters (LoRA: 2·D·R·L, plus L·D with tunable biases; final layers: k(D²+D)). */
  parameters: number;
  /** `final-layers` only: k, the number of final layers tuned. */
  tunedLayers?: number;
  medianTestMse: number;
  /** Test MSE per seed, in seed order (NaN where the run failed, e.g. a singular matrix). */
  perSeed: number[];
  /** `gradient` / `final-layers`: the learning rate kept per seed. */
  learningRates?: number[];
  /** `construction`: whether exactness is claimed (tunable biases, R ≥ threshold for every seed). */
  exactClaimed?: boolean;
  /** `construction`: median over seeds of max_i σ_{R|P_i|+1}(E_i), the theory's per-block error. */
  medianPredictedSpectralError?: number;
}

export interface ValidationResult {
  schemaVersion: 1;
  request: ValidationRequest;
  /** The uniform (or given) partition, 1-based. */
  partition: number[][];
  /** Theory §2's rank threshold for random weights, `max_i ⌈D/|P_i|⌉` (= ⌈D/⌊L/L̄⌋⌉ for the uniform partition). */
  threshold: number;
  thresholdRule: string;
  curves: ValidationCurvePoint[];
  /** Median over seeds of the frozen model's own test MSE (no adaptation), for scale. */
  baselineMedianTestMse: number;
  backend: { name: BackendName; version: string } | null;
  /** Adam steps run in total and wall time. */
  trainingSteps: number;
  seconds: number;
  /** How inputs, weights and biases were chosen; what is claimed where. */
  notes: string[];
}
