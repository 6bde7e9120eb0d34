/**
 * PEFT export: the `adapter_config.json` a Report recommends (`r`, `rank_pattern`, `alpha_pattern`,
 * `target_modules`), ready for `LoraConfig.from_pretrained(folder)`.
 *
 * - transformer (base vs fine-tuned): the report's rankPattern (changed modules only).
 * - adapter audit: each pair's effective rank (what the trained adapter actually uses).
 * - fnn plan: the construction's per-layer ranks for the best partition (theory `constructionRanks`):
 *   layer j of block P_i gets clamp(rank(E_i) − (j−1)·R_i, 0, R_i) with R_i = ⌈rank(E_i)/|P_i|⌉.
 *
 * Modules whose recommended rank is 0 are left out (PEFT rejects r = 0; they need no adapter).
 * `target_modules` lists exactly the modules with a rank, so nothing else is adapted. Alphas follow
 * the usual convention lora_alpha = 2·r per module (scale alpha/r = 2), adjustable with `alphaMultiplier`.
 * Only keys PEFT's LoraConfig knows are written (older PEFT versions reject unknown keys).
 */
import type { Report } from '../protocol';
import { constructionRanks } from '../theory';

export interface PeftExportOptions {
  /** lora_alpha = alphaMultiplier · r for every module (default 2). */
  alphaMultiplier?: number;
}

/** The subset of PEFT's LoraConfig we write, in PEFT's own key names. */
export interface PeftAdapterConfig {
  peft_type: 'LORA';
  task_type: string | null;
  base_model_name_or_path: string | null;
  r: number;
  lora_alpha: number;
  target_modules: string[];
  rank_pattern: Record<string, number>;
  alpha_pattern: Record<string, number>;
  lora_dropout: number;
  bias: 'none';
  fan_in_fan_out: boolean;
  use_rslora: boolean;
  use_dora: boolean;
  init_lora_weights: boolean;
  inference_mode: boolean;
  modules_to_save: null;
  layers_to_transform: null;
  layers_pattern: null;
}

export interface PeftExport {
  config: PeftAdapterConfig;
  /** Sentences for people: where the ranks come from, what was left out, the alpha convention. */
  notes: string[];
}

/** The report has nothing to export (architecture-only, or every module unchanged). */
export class PeftExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeftExportError';
  }
}

export const DEFAULT_ALPHA_MULTIPLIER = 2;

/** Builds the adapter config a report recommends. Throws PeftExportError when there is nothing to export. */
export function peftExportFromReport(report: Report, options: PeftExportOptions = {}): PeftExport {
  const multiplier = options.alphaMultiplier ?? DEFAULT_ALPHA_MULTIPLIER;
  if (!(multiplier > 0) || !Number.isFinite(multiplier)) throw new PeftExportError(`alpha multiplier must be a positive number, got ${multiplier}`);
  const source = ranksFromReport(report);
  const ranks = Object.entries(source.ranks).filter(([, r]) => r > 0);
  const dropped = Object.entries(source.ranks).filter(([, r]) => r <= 0).map(([name]) => name);
  if (ranks.length === 0) {
    throw new PeftExportError(`${source.what}: every module's recommended rank is 0, so no adapter is needed`);
  }
  const rankPattern: Record<string, number> = {};
  const alphaPattern: Record<string, number> = {};
  for (const [name, r] of ranks.sort(([a], [b]) => compareModuleNames(a, b))) {
    const key = peftModuleKey(name);
    rankPattern[key] = r;
    alphaPattern[key] = alphaFor(r, multiplier);
  }
  const r = Math.max(...Object.values(rankPattern));
  const notes = [
    `${source.what}.`,
    `lora_alpha = ${multiplier}·r for every module (alpha_pattern), so each module's scale alpha/r is ${multiplier}; change alpha_pattern to taste.`,
    ...source.notes,
  ];
  if (dropped.length > 0) notes.push(`Left out (recommended rank 0, no adapter needed): ${dropped.join(', ')}.`);
  return {
    config: {
      peft_type: 'LORA',
      task_type: source.taskType,
      base_model_name_or_path: source.baseModel,
      r,
      lora_alpha: alphaFor(r, multiplier),
      target_modules: Object.keys(rankPattern),
      rank_pattern: rankPattern,
      alpha_pattern: alphaPattern,
      lora_dropout: 0,
      bias: 'none',
      fan_in_fan_out: false,
      use_rslora: false,
      use_dora: false,
      init_lora_weights: true,
      inference_mode: false,
      modules_to_save: null,
      layers_to_transform: null,
      layers_pattern: null,
    },
    notes,
  };
}

/** The file content: pretty JSON with a trailing newline. */
export function renderPeftConfig(report: Report, options: PeftExportOptions = {}): string {
  return `${JSON.stringify(peftExportFromReport(report, options).config, null, 2)}\n`;
}

/**
 * The name PEFT matches: a Hugging Face causal-LM checkpoint stores `model.layers.0.self_attn.q_proj`;
 * dropping the leading `model.` gives a suffix that both old PEFT (`.*\.{key}$`) and new PEFT
 * (`(.*\.)?{key}$`, and target_modules' "ends with ." rule) match, whatever wrapper holds the model.
 */
export function peftModuleKey(name: string): string {
  const parts = name.split('.');
  return parts[0] === 'model' && parts.length >= 3 ? parts.slice(1).join('.') : name;
}

interface RankSource {
  what: string;
  ranks: Record<string, number>;
  baseModel: string | null;
  taskType: string | null;
  notes: string[];
}

function ranksFromReport(report: Report): RankSource {
  if (report.transformer) {
    const t = report.transformer;
    const target = t.target.kind === 'energy'
      ? `keeping ${formatFraction(t.target.value)} of each update's energy`
      : `a relative spectral error of at most ${t.target.value}`;
    return {
      what: `Ranks from comparing ${report.models.base.source} with ${report.models.target?.source ?? 'the fine-tuned model'} (${target})`,
      ranks: { ...t.rankPattern },
      baseModel: report.models.base.source,
      taskType: 'CAUSAL_LM',
      notes: [],
    };
  }
  if (report.adapter) {
    const a = report.adapter;
    const ranks = Object.keys(a.effectiveRankPattern).length > 0
      ? { ...a.effectiveRankPattern }
      : Object.fromEntries(a.pairs.map((p) => [p.baseModule, p.effectiveRank]));
    return {
      what: `Effective ranks of the trained adapter ${report.models.target?.source ?? report.models.base.source} (configured r ${a.r})`,
      ranks,
      baseModel: a.baseModel,
      taskType: 'CAUSAL_LM',
      notes: ['Retraining at these ranks loses nothing the adapter learned: its updates have exactly these ranks.'],
    };
  }
  if (report.fnn) return fnnRanks(report);
  throw new PeftExportError(
    `a ${report.kind} report has no data-driven ranks to export: compare a base and a fine-tuned model, plan an FNN partition or audit an adapter`,
  );
}

function fnnRanks(report: Report): RankSource {
  const fnn = report.fnn!;
  const plan = fnn.best;
  const names = sequentialLayerNames(report, fnn.frozenDepth);
  const ranks: Record<string, number> = {};
  plan.partition.forEach((block, i) => {
    const rankE = plan.discrepancyRanks[i];
    const perLayer = constructionRanks(fnn.width, block.length, Math.ceil(rankE / block.length), rankE);
    block.forEach((layer, j) => {
      ranks[names.names[layer - 1]] = perLayer[j];
    });
  });
  const partition = plan.partition.map((b) => `[${b.join(' ')}]`).join(' ');
  return {
    what: `Per-layer ranks of the FNN construction for partition ${partition} of ${report.models.base.source} (required rank ${plan.requiredRank})`,
    ranks,
    baseModel: report.models.base.source,
    taskType: null,
    notes: names.assumed
      ? ['Module names assume the nn.Sequential(Linear, ReLU, …) layout (linear layers 0, 2, 4, …).']
      : [],
  };
}

/** Names of the frozen linear layers 1…L, from the architecture section when it lists them. */
function sequentialLayerNames(report: Report, depth: number): { names: string[]; assumed: boolean } {
  const modules = report.architecture?.modules ?? [];
  if (modules.length === depth) return { names: modules.map((m) => m.name.replace(/\.weight$/, '')), assumed: false };
  return { names: Array.from({ length: depth }, (_, l) => String(2 * l)), assumed: true };
}

function alphaFor(r: number, multiplier: number): number {
  const a = r * multiplier;
  return Number.isInteger(a) ? a : Number(a.toPrecision(12));
}

function formatFraction(x: number): string {
  return `${Number((x * 100).toPrecision(6))}%`;
}

/** Natural order: layer numbers compare as numbers (layers.2 before layers.10). */
function compareModuleNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
