/**
 * Hints, diagnostics and the rank_pattern quick fix in a PEFT `adapter_config.json`: at `r`, at
 * each `rank_pattern` entry and at `target_modules`, how the ranks compare with the base model's
 * architecture-only thresholds and, once an analysis of a base/fine-tuned pair exists, with the
 * ranks the data actually needs.
 */
import { isTargetModule, parseAdapterConfig, type AdapterConfigFields } from '../formats/adapter';
import type { HfConfig } from '../formats/config';
import { LineTable } from '../formats/python/positions';
import { FormatError } from '../formats/types';
import { fullUpdateCheaper, matrixRankBound, perMatrixRequiredRank, transformerWorstCase, type RuleInfo } from '../theory';
import { findProperty, parseJsonDocument, toPlainValue, type JsonObjectNode, type JsonSpan } from './json/jsonDocument';
import { setTopLevelObjectProperty } from './json/jsonEdit';
import { codeSpan, escapeMarkdown, formatCount, lazyHover } from './markdown';
import { architectureNeed, linearModules, type LinearModule } from './modelThresholds';
import { PatternKeyLookup } from './rankLookup';
import {
  emptyHints, type DiagnosticSpec, type DocumentHints, type PanelLink, type QuickFixSpec, type TransformerAnalysisResult,
} from './types';

export const ADAPTER_CONFIG_NAME = 'adapter_config.json';

export function isAdapterConfigFileName(fileName: string): boolean {
  return /(?:^|[\\/])adapter_config\.json$/.test(fileName);
}

/** The base model as the extension found it. */
export interface BaseModelInfo {
  /** Absolute folder. */
  folder: string;
  via: 'base_model_name_or_path' | 'setting';
  config?: HfConfig;
  /** Why the folder's config.json could not be used. */
  error?: string;
}

export interface AdapterHintOptions {
  file: string;
  link: PanelLink;
  /** Undefined when no local base model folder was found. */
  base?: BaseModelInfo;
  /** The data-driven result for this base model, when an analysis ran. */
  analysis?: TransformerAnalysisResult;
}

/** One rank setting: `r` (key undefined) or a rank_pattern entry, with the modules it governs. */
interface RankEntry {
  key: string | undefined;
  rank: number;
  /** Key start to value end in the file, when the setting is written there. */
  span?: JsonSpan;
  valueEnd?: number;
  modules: LinearModule[];
}

interface EntryFacts {
  worstNeed: number;
  dataNeed?: number;
  loraParameters: number;
  fullParameters: number;
  summary: string;
}

export function computeAdapterHints(text: string, options: AdapterHintOptions): DocumentHints {
  const hints = emptyHints();
  const parsed = parseJsonDocument(text);
  if (!parsed.ok || parsed.root.kind !== 'object') return hints;
  const root = parsed.root;
  const lines = new LineTable(text);
  let fields: AdapterConfigFields;
  try {
    fields = readFields(text, root, options.file);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    return hints; // the JSON is valid but not a LoRA adapter config we can read: stay quiet
  }
  const ctx = new AdapterContext(text, root, lines, fields, options, hints);
  ctx.run();
  return hints;
}

class AdapterContext {
  private readonly config: HfConfig | undefined;
  private readonly D: number;
  private readonly deltaRanks = new Map<string, number>();

  constructor(
    private readonly text: string,
    private readonly root: JsonObjectNode,
    private readonly lines: LineTable,
    private readonly fields: AdapterConfigFields,
    private readonly options: AdapterHintOptions,
    private readonly hints: DocumentHints,
  ) {
    this.config = options.base?.config;
    this.D = this.config?.dims.hiddenSize ?? 0;
    for (const m of options.analysis?.modules ?? []) this.deltaRanks.set(m.name, m.deltaRank);
  }

  run(): void {
    this.baseModelHint();
    if (!this.config) return;
    const modules = linearModules(this.config);
    const targeted = modules.filter((m) => isTargetModule(this.fields, m.name));
    const entries = this.entries(targeted);
    const recommended = this.recommend(entries);
    const fix = recommended ? this.quickFix(recommended) : undefined;
    for (const entry of entries) this.entryHints(entry, fix);
    this.targetModulesHint(targeted, entries);
  }

  // ---- where ranks come from ----

  private entries(targeted: readonly LinearModule[]): RankEntry[] {
    const rProp = findProperty(this.root, 'r');
    const rEntry: RankEntry = {
      key: undefined, rank: this.fields.r, modules: [],
      span: rProp ? { offset: rProp.keySpan.offset, end: rProp.value.end } : undefined,
      valueEnd: rProp?.value.end,
    };
    const byKey = new Map<string, RankEntry>();
    const patternNode = findProperty(this.root, 'rank_pattern')?.value;
    if (patternNode?.kind === 'object') {
      for (const p of patternNode.properties) {
        const rank = this.fields.rankPattern[p.key];
        if (rank === undefined) continue;
        // A repeated key: JSON keeps the last value; show the hint there.
        byKey.set(p.key, { key: p.key, rank, modules: [], span: { offset: p.keySpan.offset, end: p.value.end }, valueEnd: p.value.end });
      }
    }
    const lookup = new PatternKeyLookup(Object.keys(this.fields.rankPattern));
    for (const m of targeted) {
      const key = lookup.keyFor(m.name);
      (key === undefined ? rEntry : byKey.get(key) ?? rEntry).modules.push(m);
    }
    return [rEntry, ...byKey.values()];
  }

  private facts(entry: RankEntry): EntryFacts {
    let worstNeed = 0;
    let dataNeed: number | undefined;
    let loraParameters = 0;
    let fullParameters = 0;
    for (const m of entry.modules) {
      worstNeed = Math.max(worstNeed, architectureNeed(m, this.D));
      const delta = this.deltaRanks.get(m.name);
      if (delta !== undefined) dataNeed = Math.max(dataNeed ?? 0, delta);
      loraParameters += entry.rank * (m.in + m.out);
      fullParameters += m.in * m.out;
    }
    return { worstNeed, dataNeed, loraParameters, fullParameters, summary: summarizeModules(entry.modules) };
  }

  // ---- the recommendation and its edit ----

  /** The rank_pattern to write, or undefined when the current one is already right. */
  private recommend(entries: readonly RankEntry[]): Record<string, number> | undefined {
    let next: Record<string, number>;
    const analysis = this.options.analysis;
    if (analysis) {
      next = {};
      for (const [key, value] of Object.entries(analysis.rankPattern)) {
        if (Number.isInteger(value) && value >= 1) next[key] = value;
      }
    } else {
      next = {};
      for (const entry of entries) {
        if (entry.key === undefined) continue;
        const need = entry.modules.length > 0 ? this.facts(entry).worstNeed : entry.rank;
        next[entry.key] = Math.min(entry.rank, need);
      }
      const rEntry = entries[0]!;
      const byName = new Map<string, number>();
      for (const m of rEntry.modules) {
        const need = architectureNeed(m, this.D);
        if (need < rEntry.rank) byName.set(m.short, Math.max(byName.get(m.short) ?? 0, need));
      }
      for (const [name, need] of byName) if (!(name in next)) next[name] = need;
    }
    const current = this.fields.rankPattern;
    const same = Object.keys(next).length === Object.keys(current).length && Object.entries(next).every(([k, v]) => current[k] === v);
    return same ? undefined : next;
  }

  private quickFix(rankPattern: Record<string, number>): QuickFixSpec {
    const edit = setTopLevelObjectProperty(this.text, this.root, 'rank_pattern', rankPattern, this.lines);
    const shown = JSON.stringify(rankPattern);
    const source = this.options.analysis ? 'from the analysis' : 'architecture-only';
    return { title: `LoRA Lens: write the recommended rank_pattern (${source}) ${shown.length > 80 ? `${shown.slice(0, 77)}…}` : shown}`, edit, rankPattern };
  }

  // ---- hints ----

  private baseModelHint(): void {
    const prop = findProperty(this.root, 'base_model_name_or_path');
    const base = this.options.base;
    let label: string;
    let facts: string[];
    const rules: RuleInfo[] = [];
    if (!base) {
      label = '→ not a local folder: set loraLens.baseModelPath for rank hints';
      facts = [
        'LoRA Lens compares the ranks with the base model\'s thresholds when it can read the base model\'s `config.json`.',
        '`base_model_name_or_path` is not a local folder (relative to this file or absolute), and the setting `loraLens.baseModelPath` is not set.',
      ];
    } else if (!base.config) {
      label = `→ ${base.error ?? 'config.json unreadable'}`;
      facts = [`Base model folder ${codeSpan(base.folder)}: ${escapeMarkdown(base.error ?? 'unreadable')}.`];
      if (prop) {
        this.hints.diagnostics.push({
          range: this.lines.range(prop.value.offset, prop.value.end), severity: 'information', code: 'base-model-unreadable',
          message: `LoRA Lens cannot read the base model in ${base.folder}: ${base.error ?? 'unreadable'}`,
        });
      }
    } else {
      const d = base.config.dims;
      const worst = transformerWorstCase(d.hiddenSize);
      const via = base.via === 'setting' ? 'loraLens.baseModelPath: ' : '';
      label = `→ ${via}${d.modelType}, D = ${d.hiddenSize}, ${d.numLayers} layers, ⌈D/2⌉ = ${worst.requiredRank}`;
      facts = [
        `Base model ${codeSpan(base.folder)} (found through ${base.via === 'setting' ? 'the setting `loraLens.baseModelPath`' : '`base_model_name_or_path`'}).`,
        `${escapeMarkdown(d.modelType)}: D = ${d.hiddenSize}, ${d.numLayers} layers, ${d.numHeads} heads (${d.numKeyValueHeads} key/value heads of width ${d.headDim}).`,
      ];
      if (this.options.analysis) facts.push('An analysis of a fine-tuned model against this base exists: the ranks below are compared with what the data needs.');
      rules.push(worst);
    }
    if (!prop) return;
    const markdown = lazyHover(() => ({ title: 'base model', facts, rules, link: this.options.link }));
    this.hints.inlays.push({ position: this.lines.position(prop.value.end), label, tooltip: markdown });
    this.hints.hovers.push({ range: this.lines.range(prop.keySpan.offset, prop.value.end), markdown });
  }

  private entryHints(entry: RankEntry, fix: QuickFixSpec | undefined): void {
    if (!entry.span || entry.valueEnd === undefined) return;
    const range = this.lines.range(entry.span.offset, entry.span.end);
    const what = entry.key === undefined ? `r = ${entry.rank}` : `rank_pattern "${entry.key}" = ${entry.rank}`;
    if (entry.modules.length === 0) {
      const label = entry.key === undefined ? '→ every targeted module has a rank_pattern entry' : '→ matches no targeted module';
      const facts = [entry.key === undefined
        ? 'Every module `target_modules` selects takes its rank from `rank_pattern`, so `r` is not used.'
        : `${codeSpan(entry.key)} matches none of the base model's modules that \`target_modules\` selects (PEFT: the key as a regex must match the module name or a dot-separated suffix).`];
      const markdown = lazyHover(() => ({ title: what, facts, rules: [], link: this.options.link }));
      this.hints.inlays.push({ position: this.lines.position(entry.valueEnd), label, tooltip: markdown });
      this.hints.hovers.push({ range, markdown });
      if (entry.key !== undefined) {
        this.hints.diagnostics.push({ range, severity: 'information', code: 'pattern-matches-nothing', message: `${what} matches no module that target_modules selects in the base model` });
      }
      return;
    }
    const f = this.facts(entry);
    const data = f.dataNeed !== undefined ? `, data needs ${f.dataNeed}` : '';
    const label = `→ ${f.summary}: worst case needs ${f.worstNeed}${data} · ${formatCount(f.loraParameters)} params`;
    const markdown = lazyHover(() => {
      const rules: RuleInfo[] = [];
      const facts = [`${what} applies to ${entry.modules.length} module${entry.modules.length === 1 ? '' : 's'}: ${escapeMarkdown(f.summary)}.`];
      if (f.dataNeed !== undefined) {
        facts.push(`The analysis of the fine-tuned model: rank(ΔW) is at most **${f.dataNeed}** on these modules, so rank ${f.dataNeed} reproduces every delta exactly.`);
        rules.push(perMatrixRequiredRank(f.dataNeed));
      }
      const attention = entry.modules.some((m) => m.attention);
      const worst = transformerWorstCase(this.D);
      facts.push(attention
        ? `Architecture only: rank **${f.worstNeed}** always suffices here (⌈D/2⌉ = ${worst.requiredRank} for attention matrices, and never more than min(in, out)).`
        : `Architecture only: rank **${f.worstNeed}** = min(in, out) reproduces any update of these matrices.`);
      if (attention) rules.push(worst);
      const first = entry.modules[0]!;
      rules.push(matrixRankBound(first.in, first.out));
      facts.push(`LoRA at rank ${entry.rank}: ${formatCount(f.loraParameters)} parameters; a full update of the same matrices: ${formatCount(f.fullParameters)}.`);
      facts.push(...moduleLines(entry.modules, entry.rank, this.D, this.deltaRanks));
      const comparison = fullUpdateCheaper(first.in, first.out, entry.rank);
      rules.push(comparison);
      return { title: what, facts, rules, link: this.options.link };
    });
    this.hints.inlays.push({ position: this.lines.position(entry.valueEnd), label, tooltip: markdown });
    this.hints.hovers.push({ range, markdown });
    this.entryDiagnostics(entry, what, f, range, fix);
  }

  private entryDiagnostics(entry: RankEntry, what: string, f: EntryFacts, range: DiagnosticSpec['range'], fix: QuickFixSpec | undefined): void {
    // Lowering ranks cannot make a full update dearer, so that diagnostic carries no rank fix.
    const push = (d: Omit<DiagnosticSpec, 'range'>) =>
      this.hints.diagnostics.push(fix && d.code !== 'full-update-cheaper' ? { ...d, range, fix } : { ...d, range });
    if (f.dataNeed !== undefined && entry.rank > f.dataNeed) {
      push({
        severity: 'information', code: 'rank-above-data-requirement',
        message: `${what} is above what the fine-tuned model needs: rank(ΔW) ≤ ${f.dataNeed} on ${f.summary} (exact per matrix, Eckart–Young–Mirsky)`,
      });
    }
    const half = Math.ceil(this.D / 2);
    if (entry.rank > half && entry.modules.some((m) => m.attention)) {
      push({
        severity: 'information', code: 'rank-above-worst-case',
        message: `${what} is above ⌈D/2⌉ = ${half}, which always suffices for attention matrices (Zeng & Lee, ICLR 2024; the paper's simplified Transformer)`,
      });
    }
    const fullRank = entry.modules.find((m) => entry.rank >= Math.min(m.in, m.out));
    if (fullRank) {
      push({
        severity: 'warning', code: 'rank-full-rank-update',
        message: `${what} ≥ min(in, out) = ${Math.min(fullRank.in, fullRank.out)} for ${fullRank.short} (${fullRank.out}×${fullRank.in}): LoRA at this rank is a full-rank update, and a full update is cheaper`,
      });
      return;
    }
    const cheaper = entry.modules.find((m) => fullUpdateCheaper(m.in, m.out, entry.rank).fullUpdateCheaper);
    if (cheaper) {
      const c = fullUpdateCheaper(cheaper.in, cheaper.out, entry.rank);
      push({
        severity: 'warning', code: 'full-update-cheaper',
        message: `${what}: a full update of ${cheaper.short} (${cheaper.out}×${cheaper.in}) needs ${formatCount(c.fullParameters)} parameters, fewer than LoRA's ${formatCount(c.loraParameters)} (break-even rank ${c.breakEvenRank})`,
      });
    }
  }

  private targetModulesHint(targeted: readonly LinearModule[], entries: readonly RankEntry[]): void {
    const prop = findProperty(this.root, 'target_modules');
    if (!prop) return;
    let lora = 0;
    let full = 0;
    for (const e of entries) {
      for (const m of e.modules) {
        lora += e.rank * (m.in + m.out);
        full += m.in * m.out;
      }
    }
    const label = targeted.length === 0
      ? '→ matches no module of the base model'
      : `→ ${targeted.length} modules: ${summarizeModules(targeted)} · ${formatCount(lora)} LoRA params (full update ${formatCount(full)})`;
    const facts = [targeted.length === 0
      ? 'No linear module of the base model matches `target_modules` (PEFT would refuse this adapter).'
      : `\`target_modules\` selects ${targeted.length} linear modules of the base model: ${escapeMarkdown(summarizeModules(targeted))}.`];
    if (targeted.length > 0) facts.push(`At the configured ranks LoRA trains ${formatCount(lora)} parameters; a full update of the same matrices would train ${formatCount(full)}.`);
    const targetedNames = new Set(targeted.map((t) => t.name));
    const untargeted = (this.options.analysis?.modules ?? []).filter((m) => m.deltaRank > 0 && !targetedNames.has(m.name));
    if (untargeted.length > 0) {
      const list = untargeted.slice(0, 6).map((m) => `${codeSpan(m.name)} (rank ${m.deltaRank})`).join(', ');
      facts.push(`The analysis found changes in modules this adapter does not target: ${list}${untargeted.length > 6 ? `, and ${untargeted.length - 6} more` : ''}.`);
    }
    const markdown = lazyHover(() => ({ title: 'target_modules', facts, rules: [], link: this.options.link }));
    this.hints.inlays.push({ position: this.lines.position(prop.value.end), label, tooltip: markdown });
    this.hints.hovers.push({ range: this.lines.range(prop.keySpan.offset, prop.value.end), markdown });
    if (targeted.length === 0) {
      this.hints.diagnostics.push({
        range: this.lines.range(prop.keySpan.offset, prop.value.end), severity: 'warning', code: 'pattern-matches-nothing',
        message: 'target_modules matches no linear module of the base model',
      });
    }
  }
}

/** rank_pattern keys already proved to be usable regexes (compiling a thousand per keystroke is too slow). */
const checkedKeys = new Set<string>();
const MAX_CHECKED_KEYS = 50_000;

/**
 * The adapter fields, validated by the adapter reader. rank_pattern keys it already accepted are
 * not compiled again (their values are still checked), and alpha_pattern is not read: hints do
 * not use it. Text with comments or trailing commas is taken from the tree.
 */
function readFields(text: string, root: JsonObjectNode, file: string): AdapterConfigFields {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    raw = toPlainValue(root) as Record<string, unknown>;
  }
  const pattern = raw.rank_pattern;
  const entries = pattern !== null && typeof pattern === 'object' && !Array.isArray(pattern) ? Object.entries(pattern as Record<string, unknown>) : undefined;
  const fresh: Record<string, unknown> = {};
  for (const [key, value] of entries ?? []) if (!checkedKeys.has(key)) fresh[key] = value;
  const fields = parseAdapterConfig(JSON.stringify({ ...raw, alpha_pattern: null, rank_pattern: entries ? fresh : pattern }), file);
  if (!entries) return fields;
  if (checkedKeys.size > MAX_CHECKED_KEYS) checkedKeys.clear();
  const rankPattern: Record<string, number> = {};
  for (const [key, value] of entries) {
    if (key in fresh) checkedKeys.add(key);
    else if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1 << 24) {
      throw new FormatError(file, `field 'rank_pattern.${key}' must be a positive whole number`);
    }
    rankPattern[key] = value as number;
  }
  return { ...fields, rankPattern };
}

/** "q_proj ×2, v_proj ×2" (counts are modules, usually one per layer); long lists shortened. */
export function summarizeModules(modules: readonly LinearModule[]): string {
  if (modules.length === 1) return modules[0]!.short;
  const counts = new Map<string, number>();
  for (const m of modules) {
    const name = m.short;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const parts = [...counts].map(([name, n]) => (n === 1 ? name : `${name} ×${n}`));
  return parts.length > 4 ? `${parts.slice(0, 3).join(', ')} and ${parts.length - 3} more kinds` : parts.join(', ');
}

/** Per-module lines for the hover (at most 8). */
function moduleLines(modules: readonly LinearModule[], rank: number, D: number, deltaRanks: ReadonlyMap<string, number>): string[] {
  const out = modules.slice(0, 8).map((m) => {
    const delta = deltaRanks.get(m.name);
    return `${codeSpan(m.name)} ${m.out}×${m.in}: needs ≤ ${architectureNeed(m, D)}${delta !== undefined ? `, rank(ΔW) = ${delta}` : ''}; LoRA ${formatCount(rank * (m.in + m.out))} vs full ${formatCount(m.in * m.out)} parameters`;
  });
  if (modules.length > 8) out.push(`… and ${modules.length - 8} more`);
  return out;
}
