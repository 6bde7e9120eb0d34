/**
 * Hints, diagnostics and the rank_pattern quick fix in a PEFT `adapter_config.json`: at `r`, at
 * each `rank_pattern` entry and at `target_modules`, how the ranks compare with the base model's
 * architecture-only thresholds and, once an analysis of a base/fine-tuned pair exists, with the
 * ranks the data actually needs.
 */
import { parseAdapterConfig, type AdapterConfigFields } from '../formats/adapter';
import type { HfConfig } from '../formats/config';
import { LineTable } from '../formats/python/positions';
import { FormatError } from '../formats/types';
import { fullUpdateCheaper, matrixRankBound, perMatrixRequiredRank, transformerWorstCase, type RuleInfo } from '../theory';
import { findProperty, parseJsonDocument, toPlainValue, type JsonObjectNode, type JsonSpan } from './json/jsonDocument';
import { setTopLevelObjectProperty } from './json/jsonEdit';
import { codeSpan, escapeMarkdown, formatCount, lazyHover } from './markdown';
import { analysisIndex, moduleGroupsFor, targetedModules, type AnalysisIndex } from './adapterCache';
import { architectureNeed, type LinearModule } from './modelThresholds';
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
  /** Shared with earlier calls while the base model and the key list stay (see moduleGroupsFor). */
  modules: readonly LinearModule[];
}

/** What an entry's hints say, independent of where the entry sits in the file. */
interface EntryRender {
  label: string;
  markdown: () => string;
  diagnostics: Omit<DiagnosticSpec, 'range' | 'fix'>[];
}

/**
 * The last render of each entry, per module group (an array kept by moduleGroupsFor) and key,
 * with everything else it depends on; an edit to one rank then renders one entry. Entries
 * governing no module share one empty array.
 */
const renderedEntries = new WeakMap<readonly LinearModule[], Map<string | undefined, {
  rank: number; D: number; deltaRanks: ReadonlyMap<string, number>; link: string; render: EntryRender;
}>>();
const NO_MODULES: readonly LinearModule[] = [];
const factsByGroup = new WeakMap<readonly LinearModule[], Map<string, { deltaRanks: ReadonlyMap<string, number>; facts: EntryFacts }>>();
/** Per group, the last render of at most this many keys is kept (facts: this many (rank, D) pairs). */
const MAX_RENDERS_PER_GROUP = 1000;

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
  let read: ReturnType<typeof readFields>;
  try {
    read = readFields(root, options.file);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    return hints; // the JSON is valid but not a LoRA adapter config we can read: stay quiet
  }
  const ctx = new AdapterContext(text, root, lines, read.fields, read.rankKeys, options, hints);
  ctx.run();
  return hints;
}

class AdapterContext {
  private readonly config: HfConfig | undefined;
  private readonly D: number;
  private readonly analysis: AnalysisIndex;
  private readonly deltaRanks: ReadonlyMap<string, number>;
  /** Facts per entry, computed once (the recommendation and the hints both need them). */
  private readonly factsByEntry = new Map<RankEntry, EntryFacts>();

  constructor(
    private readonly text: string,
    private readonly root: JsonObjectNode,
    private readonly lines: LineTable,
    private readonly fields: AdapterConfigFields,
    /** `Object.keys(fields.rankPattern)`, in file order (PEFT tries them in this order). */
    private readonly rankKeys: readonly string[],
    private readonly options: AdapterHintOptions,
    private readonly hints: DocumentHints,
  ) {
    this.config = options.base?.config;
    this.D = this.config?.dims.hiddenSize ?? 0;
    this.analysis = analysisIndex(options.analysis);
    this.deltaRanks = this.analysis.deltaRanks;
  }

  run(): void {
    this.baseModelHint();
    if (!this.config) return;
    const targeted = targetedModules(this.config, this.fields);
    const entries = this.entries(targeted);
    const recommended = this.recommend(entries);
    const fix = recommended ? this.quickFix(recommended) : undefined;
    for (const entry of entries) this.entryHints(entry, fix);
    this.targetModulesHint(targeted, entries);
  }

  // ---- where ranks come from ----

  private entries(targeted: readonly LinearModule[]): RankEntry[] {
    const groups = moduleGroupsFor(targeted, this.rankKeys);
    const rProp = findProperty(this.root, 'r');
    const rEntry: RankEntry = {
      key: undefined, rank: this.fields.r, modules: groups.get(undefined) ?? NO_MODULES,
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
        byKey.set(p.key, { key: p.key, rank, modules: groups.get(p.key) ?? NO_MODULES, span: { offset: p.keySpan.offset, end: p.value.end }, valueEnd: p.value.end });
      }
    }
    return [rEntry, ...byKey.values()];
  }

  private facts(entry: RankEntry): EntryFacts {
    let f = this.factsByEntry.get(entry);
    if (!f) {
      // Across calls: per module group, by rank and D (and the analysis's delta ranks).
      let known = factsByGroup.get(entry.modules);
      if (!known || known.size > MAX_RENDERS_PER_GROUP) {
        known = new Map();
        factsByGroup.set(entry.modules, known);
      }
      const key = `${entry.rank}\u0000${this.D}`;
      const cached = known.get(key);
      if (cached && cached.deltaRanks === this.deltaRanks) f = cached.facts;
      else {
        f = this.computeFacts(entry);
        known.set(key, { deltaRanks: this.deltaRanks, facts: f });
      }
      this.factsByEntry.set(entry, f);
    }
    return f;
  }

  private computeFacts(entry: RankEntry): EntryFacts {
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
    if (this.options.analysis) {
      next = this.analysis.recommended;
    } else {
      const rEntry = entries[0]!;
      const byName = new Map<string, number>();
      for (const m of rEntry.modules) {
        const need = architectureNeed(m, this.D);
        if (need < rEntry.rank) byName.set(m.short, Math.max(byName.get(m.short) ?? 0, need));
      }
      // The usual case, checked without building a thousand-key object: every entry already at
      // or below its need (it would be written unchanged) and no new name to add.
      const lowers = entries.some((e) => e.key !== undefined && e.modules.length > 0 && this.facts(e).worstNeed < e.rank);
      if (!lowers && [...byName.keys()].every((name) => name in this.fields.rankPattern)) return undefined;
      next = {};
      for (const entry of entries) {
        if (entry.key === undefined) continue;
        const need = entry.modules.length > 0 ? this.facts(entry).worstNeed : entry.rank;
        next[entry.key] = Math.min(entry.rank, need);
      }
      for (const [name, need] of byName) if (!(name in next)) next[name] = need;
    }
    const current = this.fields.rankPattern;
    const keys = next === this.analysis.recommended ? this.analysis.recommendedKeys : Object.keys(next);
    const same = keys.length === this.rankKeys.length && keys.every((k) => current[k] === next[k]);
    return same ? undefined : next;
  }

  /** The fix's edit (a thousand-entry rank_pattern serialised) is only built when a code action asks for it. */
  private quickFix(rankPattern: Readonly<Record<string, number>>): QuickFixSpec {
    const { text, root, lines } = this;
    let shown = shownPatterns.get(rankPattern);
    if (shown === undefined) {
      shown = jsonPrefix(rankPattern, 81);
      // The analysis's recommendation is one object per analysis: worth remembering.
      if (Object.isFrozen(rankPattern)) shownPatterns.set(rankPattern, shown);
    }
    const source = this.options.analysis ? 'from the analysis' : 'architecture-only';
    let edit: QuickFixSpec['edit'] | undefined;
    return {
      title: `LoRA Lens: write the recommended rank_pattern (${source}) ${shown.length > 80 ? `${shown.slice(0, 77)}…}` : shown}`,
      get edit() {
        return (edit ??= setTopLevelObjectProperty(text, root, 'rank_pattern', rankPattern, lines));
      },
      // May be the analysis cache's object, which is frozen.
      rankPattern: rankPattern as Record<string, number>,
    };
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
    const render = this.entryRender(entry);
    const range = this.lines.range(entry.span.offset, entry.span.end);
    this.hints.inlays.push({ position: this.lines.position(entry.valueEnd), label: render.label, tooltip: render.markdown });
    this.hints.hovers.push({ range, markdown: render.markdown });
    for (const d of render.diagnostics) {
      // Lowering ranks cannot make a full update dearer, so that diagnostic carries no rank fix.
      const spec: DiagnosticSpec = { severity: d.severity, code: d.code, message: d.message, range };
      if (fix && d.code !== 'full-update-cheaper') spec.fix = fix;
      this.hints.diagnostics.push(spec);
    }
  }

  /** The entry's label, hover and diagnostics, remembered across calls (see renderedEntries). */
  private entryRender(entry: RankEntry): EntryRender {
    let renders = renderedEntries.get(entry.modules);
    if (!renders || renders.size > MAX_RENDERS_PER_GROUP) {
      renders = new Map();
      renderedEntries.set(entry.modules, renders);
    }
    const known = renders.get(entry.key);
    if (known && known.rank === entry.rank && known.D === this.D && known.deltaRanks === this.deltaRanks && known.link === this.options.link.argsJson) {
      return known.render;
    }
    const render = this.renderEntry(entry);
    renders.set(entry.key, { rank: entry.rank, D: this.D, deltaRanks: this.deltaRanks, link: this.options.link.argsJson, render });
    return render;
  }

  private renderEntry(entry: RankEntry): EntryRender {
    const what = entry.key === undefined ? `r = ${entry.rank}` : `rank_pattern "${entry.key}" = ${entry.rank}`;
    if (entry.modules.length === 0) {
      const label = entry.key === undefined ? '→ every targeted module has a rank_pattern entry' : '→ matches no targeted module';
      const facts = [entry.key === undefined
        ? 'Every module `target_modules` selects takes its rank from `rank_pattern`, so `r` is not used.'
        : `${codeSpan(entry.key)} matches none of the base model's modules that \`target_modules\` selects (PEFT: the key as a regex must match the module name or a dot-separated suffix).`];
      const link = this.options.link;
      const markdown = lazyHover(() => ({ title: what, facts, rules: [], link }));
      const diagnostics: EntryRender['diagnostics'] = entry.key === undefined
        ? []
        : [{ severity: 'information', code: 'pattern-matches-nothing', message: `${what} matches no module that target_modules selects in the base model` }];
      return { label, markdown, diagnostics };
    }
    const f = this.facts(entry);
    const data = f.dataNeed !== undefined ? `, data needs ${f.dataNeed}` : '';
    const label = `→ ${f.summary}: worst case needs ${f.worstNeed}${data} · ${formatCount(f.loraParameters)} params`;
    const { D, deltaRanks } = this;
    const link = this.options.link;
    const markdown = lazyHover(() => {
      const rules: RuleInfo[] = [];
      const facts = [`${what} applies to ${entry.modules.length} module${entry.modules.length === 1 ? '' : 's'}: ${escapeMarkdown(f.summary)}.`];
      if (f.dataNeed !== undefined) {
        facts.push(`The analysis of the fine-tuned model: rank(ΔW) is at most **${f.dataNeed}** on these modules, so rank ${f.dataNeed} reproduces every delta exactly.`);
        rules.push(perMatrixRequiredRank(f.dataNeed));
      }
      const attention = entry.modules.some((m) => m.attention);
      const worst = transformerWorstCase(D);
      facts.push(attention
        ? `Architecture only: rank **${f.worstNeed}** always suffices here (⌈D/2⌉ = ${worst.requiredRank} for attention matrices, and never more than min(in, out)).`
        : `Architecture only: rank **${f.worstNeed}** = min(in, out) reproduces any update of these matrices.`);
      if (attention) rules.push(worst);
      const first = entry.modules[0]!;
      rules.push(matrixRankBound(first.in, first.out));
      facts.push(`LoRA at rank ${entry.rank}: ${formatCount(f.loraParameters)} parameters; a full update of the same matrices: ${formatCount(f.fullParameters)}.`);
      facts.push(...moduleLines(entry.modules, entry.rank, D, deltaRanks));
      const comparison = fullUpdateCheaper(first.in, first.out, entry.rank);
      rules.push(comparison);
      return { title: what, facts, rules, link };
    });
    return { label, markdown, diagnostics: this.entryDiagnostics(entry, what, f) };
  }

  private entryDiagnostics(entry: RankEntry, what: string, f: EntryFacts): EntryRender['diagnostics'] {
    const out: EntryRender['diagnostics'] = [];
    const push = (d: EntryRender['diagnostics'][number]) => out.push(d);
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
      return out;
    }
    const cheaper = entry.modules.find((m) => fullUpdateCheaper(m.in, m.out, entry.rank).fullUpdateCheaper);
    if (cheaper) {
      const c = fullUpdateCheaper(cheaper.in, cheaper.out, entry.rank);
      push({
        severity: 'warning', code: 'full-update-cheaper',
        message: `${what}: a full update of ${cheaper.short} (${cheaper.out}×${cheaper.in}) needs ${formatCount(c.fullParameters)} parameters, fewer than LoRA's ${formatCount(c.loraParameters)} (break-even rank ${c.breakEvenRank})`,
      });
    }
    return out;
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
      : `→ ${targeted.length} modules: ${memoSummary(targeted)} · ${formatCount(lora)} LoRA params (full update ${formatCount(full)})`;
    const facts = [targeted.length === 0
      ? 'No linear module of the base model matches `target_modules` (PEFT would refuse this adapter).'
      : `\`target_modules\` selects ${targeted.length} linear modules of the base model: ${escapeMarkdown(memoSummary(targeted))}.`];
    if (targeted.length > 0) facts.push(`At the configured ranks LoRA trains ${formatCount(lora)} parameters; a full update of the same matrices would train ${formatCount(full)}.`);
    const analysisModules = this.options.analysis?.modules ?? [];
    const markdown = lazyHover(() => {
      const targetedNames = new Set(targeted.map((t) => t.name));
      const untargeted = analysisModules.filter((m) => m.deltaRank > 0 && !targetedNames.has(m.name));
      if (untargeted.length > 0) {
        const list = untargeted.slice(0, 6).map((m) => `${codeSpan(m.name)} (rank ${m.deltaRank})`).join(', ');
        facts.push(`The analysis found changes in modules this adapter does not target: ${list}${untargeted.length > 6 ? `, and ${untargeted.length - 6} more` : ''}.`);
      }
      return { title: 'target_modules', facts, rules: [], link: this.options.link };
    });
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
 * not use it. Values come from the tree already parsed (what JSON.parse would give, also for text
 * with comments or trailing commas), so the two big pattern objects are not parsed a second time.
 */
function readFields(root: JsonObjectNode, file: string): { fields: AdapterConfigFields; rankKeys: readonly string[] } {
  const raw: Record<string, unknown> = {};
  for (const p of root.properties) {
    const value = p.key === 'alpha_pattern' || p.key === 'rank_pattern' ? null : toPlainValue(p.value);
    // defineProperty: a "__proto__" key is data, as with JSON.parse; a repeated key keeps its first place and last value.
    Object.defineProperty(raw, p.key, { value, enumerable: true, writable: true, configurable: true });
  }
  const patternNode = findProperty(root, 'rank_pattern')?.value;
  if (patternNode?.kind !== 'object') {
    const fields = parseAdapterConfig(JSON.stringify({ ...raw, alpha_pattern: null, rank_pattern: patternNode && toPlainValue(patternNode) }), file);
    return { fields, rankKeys: Object.keys(fields.rankPattern) };
  }
  // One pass over the entries: the keys not yet proved usable go to the reader; every value is checked below.
  const fresh: Record<string, unknown> = {};
  const rankPattern: Record<string, number> = {};
  const keys: string[] = [];
  let indexLike = false;
  /** Keys whose last value so far is not a rank (JSON keeps the last value of a repeated key). */
  const invalid = new Set<string>();
  const seen = new Set<string>();
  for (const p of patternNode.properties) {
    const node = p.value;
    const value = node.kind === 'object' || node.kind === 'array' ? toPlainValue(node) : node.value;
    if (p.key === '__proto__') {
      // Data, never a prototype: checked like any value, and (as before) not a usable key.
      if (!isRank(value)) throw new FormatError(file, "field 'rank_pattern.__proto__' must be a positive whole number");
      continue;
    }
    if (!checkedKeys.has(p.key)) fresh[p.key] = value;
    if (!seen.has(p.key)) {
      seen.add(p.key);
      keys.push(p.key);
      const c = p.key.charCodeAt(0);
      if (c >= 48 && c <= 57) indexLike = true;
    }
    rankPattern[p.key] = value as number; // a repeated key: its first place, its last value (as JSON.parse)
    if (!isRank(value)) invalid.add(p.key);
    else if (invalid.size > 0) invalid.delete(p.key);
  }
  const fields = parseAdapterConfig(JSON.stringify({ ...raw, alpha_pattern: null, rank_pattern: fresh }), file);
  for (const key of invalid) throw new FormatError(file, `field 'rank_pattern.${key}' must be a positive whole number`);
  if (checkedKeys.size > MAX_CHECKED_KEYS) checkedKeys.clear();
  for (const key of keys) if (hasOwn(fresh, key)) checkedKeys.add(key);
  // Objects list array-index keys ("0", "12") first: only then is the order not the file's.
  return { fields: { ...fields, rankPattern }, rankKeys: indexLike ? Object.keys(rankPattern) : keys };
}

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** What the adapter reader accepts as a rank. */
function isRank(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 1 << 24;
}

/**
 * The start of `JSON.stringify(value)` for a flat object: all of it when it is at most `atLeast`
 * characters long, else a prefix of at least `atLeast` characters (enough for a shortened title
 * without serialising a thousand entries).
 */
function jsonPrefix(value: Readonly<Record<string, number>>, atLeast: number): string {
  let out = '{';
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value[key])}`;
    if (out.length >= atLeast) return out;
  }
  return `${out}}`;
}

const shownPatterns = new WeakMap<object, string>();
const summaries = new WeakMap<readonly LinearModule[], string>();

/** `summarizeModules` of an array kept across calls (targetedModules gives the same array). */
function memoSummary(modules: readonly LinearModule[]): string {
  let summary = summaries.get(modules);
  if (summary === undefined) {
    summary = summarizeModules(modules);
    summaries.set(modules, summary);
  }
  return summary;
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
