/**
 * Hints in PyTorch / PEFT source: a CodeLens above each `nn.Linear` stack (FNN threshold for a
 * chosen target depth, or the attention worst case for q/k/v/o projections) and inlay hints after
 * `r=` and `target_modules=` of `LoraConfig(...)` calls. Input: the Python reader's findings.
 */
import { isTargetModule } from '../formats/adapter';
import type { LineTable } from '../formats/python/positions';
import {
  isUnresolved, type LinearFinding, type LoraConfigFinding, type PythonFindings, type Resolved, type SourceRange, type StackFinding,
} from '../formats/python/types';
import { fnnWorstCaseThreshold, fullUpdateCheaper, matrixRankBound, transformerWorstCase, type RuleInfo } from '../theory';
import { findTargetDepthDirective, resolveTargetDepth, type TargetDepthDirective } from './directive';
import { codeSpan, escapeMarkdown, formatCount, lazyHover } from './markdown';
import { emptyHints, type DocumentHints, type PanelLink } from './types';

export interface PythonHintOptions {
  /** `loraLens.targetDepth` (null: no setting). */
  targetDepthSetting: number | null;
  link: PanelLink;
}

/** Names that mark a module class as attention projections (Llama, BERT, nn.MultiheadAttention styles). */
const ATTENTION_NAME = /(?:^|\.)(?:(?:q|k|v|o|out)_proj|query|key|value|q|k|v|o)$/;

/** Exported for the benchmark: the directive lookup is part of every update. */
export function computePythonHints(findings: PythonFindings, source: string, options: PythonHintOptions, lines?: LineTable): DocumentHints {
  const hints = emptyHints();
  if (findings.skipped) return hints;
  // The line table is only needed when a directive is present; findTargetDepthDirective builds
  // one lazily, so a file without a directive costs one `includes` scan, not a table per update.
  const directive = findTargetDepthDirective(source, lines);
  const ctx: Ctx = {
    hints, options, directive, targeted: new Map(), targetTexts: new Map(), contents: new Map(),
    memoKey: JSON.stringify([directive ?? null, options.targetDepthSetting, options.link.argsJson]),
  };
  for (const stack of findings.stacks) memoStackHints(ctx, stack);
  for (const call of findings.loraConfigs) memoLoraConfigHints(ctx, call, findings);
  return hints;
}

/**
 * Hints made for a finding object, reused while the same object comes back: the Python reader
 * hands back the very same finding objects for statements an edit did not touch (see
 * formats/python/findingsCache.ts), so only edited statements are rendered again. A finding is
 * immutable once built; `key` holds everything else the hints depend on.
 */
interface Rendered {
  key: string;
  lenses: DocumentHints['lenses'];
  hovers: DocumentHints['hovers'];
  inlays: DocumentHints['inlays'];
  /** For LoraConfig hints: what LoraConfig hints read of the targeted layers (see `contentOf`). */
  targeted?: string;
}
const renderedStacks = new WeakMap<StackFinding, Rendered>();
const renderedConfigs = new WeakMap<LoraConfigFinding, Rendered>();

/** Renders `render` into a fresh hints object and returns what it added. */
function rendering(ctx: Ctx, render: (ctx: Ctx) => void, targeted?: string): Rendered {
  const out = emptyHints();
  render({ ...ctx, hints: out });
  const rendered: Rendered = { key: ctx.memoKey, lenses: out.lenses, hovers: out.hovers, inlays: out.inlays };
  if (targeted) rendered.targeted = targeted;
  return rendered;
}

function emit(ctx: Ctx, rendered: Rendered): void {
  ctx.hints.lenses.push(...rendered.lenses);
  ctx.hints.hovers.push(...rendered.hovers);
  ctx.hints.inlays.push(...rendered.inlays);
}

function memoStackHints(ctx: Ctx, stack: StackFinding): void {
  let rendered = renderedStacks.get(stack);
  if (rendered?.key !== ctx.memoKey) {
    rendered = rendering(ctx, (c) => stackHints(c, stack));
    renderedStacks.set(stack, rendered);
  }
  emit(ctx, rendered);
}

function memoLoraConfigHints(ctx: Ctx, call: LoraConfigFinding, findings: PythonFindings): void {
  const targeted = targetedOf(ctx, call, findings);
  const content = contentOf(ctx, targeted);
  let rendered = renderedConfigs.get(call);
  if (rendered?.key !== ctx.memoKey || rendered.targeted !== content) {
    rendered = rendering(ctx, (c) => loraConfigHints(c, call, targeted), content);
    renderedConfigs.set(call, rendered);
  }
  emit(ctx, rendered);
}

/**
 * Everything LoraConfig hints read of the targeted layers (module path and both widths), as one
 * string: an edit elsewhere in a module class makes new Linear objects with the same content.
 */
function contentOf(ctx: Ctx, targeted: readonly LinearFinding[]): string {
  let content = ctx.contents.get(targeted);
  if (content === undefined) {
    const width = (w: Resolved<number>) => (typeof w === 'number' ? String(w) : JSON.stringify(w));
    content = targeted.map((l) => `${l.modulePath ?? ''}\u0000${width(l.inFeatures)}\u0000${width(l.outFeatures)}`).join('\u0001');
    ctx.contents.set(targeted, content);
  }
  return content;
}

/** The Linear layers of this file that the call's `target_modules` selects. */
function targetedOf(ctx: Ctx, call: LoraConfigFinding, findings: PythonFindings): LinearFinding[] {
  const tm = call.targetModules;
  const targets = tm && !isUnresolved(tm.value) ? tm.value : undefined;
  return targets === undefined || targets === null ? NONE : memoTargetedLinears(ctx, findings.linears, targets);
}
const NONE: LinearFinding[] = [];

interface Ctx {
  hints: DocumentHints;
  options: PythonHintOptions;
  directive: TargetDepthDirective | undefined;
  /**
   * `targetedLinears` results by `target_modules` value (JSON): files repeat the same list in many
   * configs, and each lookup scans every Linear of the file.
   */
  targeted: Map<string, LinearFinding[]>;
  /** Everything besides the finding that rendered hints depend on. */
  memoKey: string;
  /** Texts per targeted-layer list (the lists come from `targeted`, so equal lists are one object). */
  targetTexts: Map<readonly LinearFinding[], TargetText>;
  contents: Map<readonly LinearFinding[], string>;
}

function linearsOf(stack: StackFinding): LinearFinding[] {
  const out: LinearFinding[] = [];
  const walk = (layers: StackFinding['layers']) => {
    for (const l of layers) {
      if (l.kind === 'linear') out.push(l.linear);
      else if (l.kind === 'repeat') walk(l.layers);
    }
  };
  walk(stack.layers);
  return out;
}

function unresolvedText(values: readonly Resolved<number>[]): string | undefined {
  const u = values.find(isUnresolved);
  return u && isUnresolved(u) ? u.unresolved || u.reason : undefined;
}

/** Where the lens and the hover go: the assigned name, else the first line of the call/class. */
function anchorRange(stack: StackFinding): SourceRange {
  return stack.nameRange ?? { start: stack.range.start, end: { line: stack.range.start.line, character: stack.range.start.character + 1 } };
}

function isAttentionClass(stack: StackFinding, linears: readonly LinearFinding[]): boolean {
  if (stack.kind !== 'moduleClass') return false;
  const names = linears.map((l) => l.modulePath ?? '').filter((p) => ATTENTION_NAME.test(p));
  return names.length >= 2;
}

/** Facts and rules are built only when the hover is shown. */
function addLens(ctx: Ctx, stack: StackFinding, title: string, facts: () => string[], rules: () => RuleInfo[] = () => []): void {
  const anchor = anchorRange(stack);
  const markdown = lazyHover(() => ({ title: title.replace(/^LoRA Lens: /, ''), facts: facts(), rules: rules(), link: ctx.options.link }));
  ctx.hints.lenses.push({ range: { start: stack.range.start, end: stack.range.start }, title, tooltip: 'Open in the LoRA Lens panel (hover the name for the rule and theorem)' });
  ctx.hints.hovers.push({ range: anchor, markdown });
}

function stackHints(ctx: Ctx, stack: StackFinding): void {
  const linears = linearsOf(stack);
  if (linears.length === 0) return;
  if (isAttentionClass(stack, linears)) return attentionStackHints(ctx, stack, linears);
  const what = stack.kind === 'moduleClass' ? `${stack.name ?? 'module'}: ` : '';
  const unknown = isUnresolved(stack.depth) ? stack.depth.unresolved || stack.depth.reason : unresolvedText(stack.widths);
  if (unknown !== undefined) {
    addLens(ctx, stack, `LoRA Lens: ${what}${linears.length} Linear layers, sizes not known from the source (${unknown})`, () => [
      `LoRA Lens reads widths and depths from literals and module-level constants only; ${codeSpan(unknown)} is not one.`,
    ]);
    return;
  }
  const widths = stack.widths as number[];
  const L = stack.depth as number;
  const D = widths[0]!;
  if (!widths.every((w) => w === D)) {
    const bound = Math.min(...widths);
    addLens(ctx, stack, `LoRA Lens: ${what}${L} Linear layers ${widths.join('→')}: widths differ, FNN threshold needs equal widths; any layer's update has rank ≤ ${bound}`, () => [
      `Widths ${widths.join(' → ')}: the FNN theorem assumes every layer has the same width D, so it does not apply.`,
      `Per matrix, any update has rank ≤ min(in, out) (at most ${Math.max(...widths.slice(1).map((w, i) => Math.min(w, widths[i]!)))} here).`,
    ], () => [matrixRankBound(widths[0]!, widths[1]!)]);
    return;
  }
  const target = resolveTargetDepth(L, ctx.directive, ctx.options.targetDepthSetting);
  const order = stack.kind === 'sequential' ? '' : ' (assuming layers run in the order they are listed)';
  if (target.Lbar > L) {
    addLens(ctx, stack, `LoRA Lens: ${what}FNN depth ${L} width ${D}: target depth ${target.Lbar} is deeper than the model (needs L̄ ≤ L; ${target.explanation})`, () => [
      `The theorem covers targets no deeper than the frozen model (L̄ ≤ L = ${L}); ${escapeMarkdown(target.explanation)}.`,
    ]);
    return;
  }
  const t = fnnWorstCaseThreshold(D, L, target.Lbar);
  const title = `LoRA Lens: ${what}FNN depth ${L} width ${D} → target depth ${target.Lbar} needs rank ≥ ${t.requiredRank} (${t.guarantee}) · ${target.explanation}`;
  const directiveNote = ctx.directive?.error ? [`The \`# lora-lens: target-depth\` directive is ignored: ${escapeMarkdown(ctx.directive.error)}.`] : [];
  addLens(ctx, stack, title, () => [
    `Frozen ReLU network of depth L = ${L} and width D = ${D}${order}; target depth ${escapeMarkdown(target.explanation)}.`,
    `Depth ratio M = ⌊L/L̄⌋ = ${t.depthRatio}, uniform partition ${t.partition.map((b) => `[${b.join(' ')}]`).join(' ')}: LoRA rank **⌈D/M⌉ = ${t.requiredRank}** on every layer represents any target of depth ${target.Lbar} exactly.`,
    `LoRA parameters at that rank: ${formatCount(2 * D * t.requiredRank * L)} (2·D·R·L), plus ${formatCount(L * D)} tunable biases.`,
    'Set the target depth with a `# lora-lens: target-depth=N` comment or the setting `loraLens.targetDepth`.',
    ...directiveNote,
  ], () => [t]);
}

function attentionStackHints(ctx: Ctx, stack: StackFinding, linears: readonly LinearFinding[]): void {
  const names = linears.map((l) => l.modulePath ?? '?');
  const unknown = unresolvedText(linears.flatMap((l) => [l.inFeatures, l.outFeatures]));
  if (unknown !== undefined) {
    addLens(ctx, stack, `LoRA Lens: ${stack.name ?? 'attention'}: attention ${names.join(', ')}, sizes not known from the source (${unknown})`, () => [
      `LoRA Lens reads widths from literals and module-level constants only; ${codeSpan(unknown)} is not one.`,
    ]);
    return;
  }
  const q = linears.find((l) => /q(?:_proj)?$|query$/.test(l.modulePath ?? '')) ?? linears[0]!;
  const D = q.inFeatures as number;
  const worst = transformerWorstCase(D);
  const shapes = [...new Set(linears.map((l) => `${l.outFeatures as number}×${l.inFeatures as number}`))].join(', ');
  addLens(ctx, stack, `LoRA Lens: ${stack.name ?? 'attention'}: attention D = ${D} (${names.join(', ')}) → rank ⌈D/2⌉ = ${worst.requiredRank} always suffices (${worst.guarantee})`, () => [
    `Attention projections ${names.map((n) => `${codeSpan(n)}`).join(', ')} (${shapes}, out×in) with embedding size D = ${D}.`,
    `LoRA rank **⌈D/2⌉ = ${worst.requiredRank}** on every attention matrix suffices for any target of the same size.`,
  ], () => [worst]);
}

function loraConfigHints(ctx: Ctx, call: LoraConfigFinding, targeted: readonly LinearFinding[]): void {
  const r = call.r;
  const tm = call.targetModules;
  const targets = tm && !isUnresolved(tm.value) ? tm.value : undefined;
  const rank = r && !isUnresolved(r.value) ? r.value : r ? undefined : 8; // PEFT's default r is 8
  const text = memoTargetText(ctx, targeted);

  if (tm) {
    const label = targets === undefined ? '→ not resolved from the source' : text.selectedLabel;
    const markdown = lazyHover(() => ({ title: 'target_modules', facts: [text.selectedFact], rules: [], link: ctx.options.link }));
    ctx.hints.inlays.push({ position: tm.range.end, label, tooltip: markdown });
  }
  if (!r) return;
  if (rank === undefined) return;
  let byRank = text.byRank.get(rank);
  if (!byRank) {
    byRank = rankText(targeted, text.names, rank);
    text.byRank.set(rank, byRank);
  }
  const { label, facts, rules } = byRank;
  const markdown = lazyHover(() => ({ title: `LoraConfig r = ${rank}`, facts, rules, link: ctx.options.link }));
  ctx.hints.inlays.push({ position: r.range.end, label, tooltip: markdown });
  ctx.hints.hovers.push({ range: r.range, markdown });
}

/** What LoraConfig hints say about one set of targeted layers; files repeat the same config many times. */
interface TargetText {
  names: string[];
  selectedLabel: string;
  selectedFact: string;
  byRank: Map<number, { label: string; facts: string[]; rules: RuleInfo[] }>;
}

function memoTargetText(ctx: Ctx, targeted: readonly LinearFinding[]): TargetText {
  let text = ctx.targetTexts.get(targeted);
  if (!text) {
    const names = [...new Set(targeted.map((l) => l.modulePath!))];
    text = {
      names,
      selectedLabel: targeted.length === 0 ? '→ no nn.Linear of this file' : `→ ${targeted.length} nn.Linear in this file (${names.join(', ')})`,
      selectedFact: targeted.length === 0
        ? 'No `nn.Linear` assigned in this file has a module path that these names select (they may be in another file or library).'
        : `Selects ${targeted.length} \`nn.Linear\` layers of this file: ${names.map((n) => `${codeSpan(n)}`).join(', ')}.`,
      byRank: new Map(),
    };
    ctx.targetTexts.set(targeted, text);
  }
  return text;
}

function rankText(targeted: readonly LinearFinding[], names: readonly string[], rank: number): { label: string; facts: string[]; rules: RuleInfo[] } {
  const sized = targeted.filter((l) => !isUnresolved(l.inFeatures) && !isUnresolved(l.outFeatures));
  let label: string;
  const facts: string[] = [];
  const rules: RuleInfo[] = [];
  if (targeted.length === 0) {
    label = '→ targets not found in this file';
    facts.push('The modules `target_modules` selects are not assigned in this file, so their sizes are unknown here.');
  } else if (sized.length < targeted.length) {
    const unknown = unresolvedText(targeted.flatMap((l) => [l.inFeatures, l.outFeatures]));
    label = `→ ${names.join(', ')}: sizes not known from the source (${unknown ?? '?'})`;
    facts.push(`LoRA Lens reads widths from literals and module-level constants only; ${codeSpan(unknown ?? '?')} is not one.`);
  } else {
    let need = 0;
    let lora = 0;
    let full = 0;
    for (const l of sized) {
      const inF = l.inFeatures as number;
      const outF = l.outFeatures as number;
      const bound = Math.min(inF, outF);
      need = Math.max(need, ATTENTION_NAME.test(l.modulePath ?? '') ? Math.min(Math.ceil(inF / 2), bound) : bound);
      lora += rank * (inF + outF);
      full += inF * outF;
    }
    const first = sized[0]!;
    const cmp = fullUpdateCheaper(first.inFeatures as number, first.outFeatures as number, rank);
    const costNote = cmp.comparison === 'lora-cheaper' ? '' : cmp.comparison === 'equal' ? ' · full update costs the same' : ' · full update cheaper';
    label = `→ ${names.join(', ')}: worst case needs ${need} · ${formatCount(lora)} params${costNote}`;
    facts.push(
      `r = ${rank} on ${sized.length} layer${sized.length === 1 ? '' : 's'} (${names.map((n) => `${codeSpan(n)}`).join(', ')}); architecture only, rank **${need}** always suffices for them.`,
      `LoRA at r = ${rank}: ${formatCount(lora)} parameters; a full update of the same layers: ${formatCount(full)}.`,
    );
    if (sized.some((l) => ATTENTION_NAME.test(l.modulePath ?? ''))) rules.push(transformerWorstCase(first.inFeatures as number));
    rules.push(matrixRankBound(first.inFeatures as number, first.outFeatures as number), cmp);
  }
  return { label, facts, rules };
}

function memoTargetedLinears(ctx: Ctx, linears: readonly LinearFinding[], targets: readonly string[] | string): LinearFinding[] {
  const key = JSON.stringify(targets);
  let found = ctx.targeted.get(key);
  if (!found) {
    found = targetedLinears(linears, targets);
    ctx.targeted.set(key, found);
  }
  return found;
}

/** Linears whose module path `target_modules` selects (PEFT's rule; `layers.*` templates count once). */
function targetedLinears(linears: readonly LinearFinding[], targets: readonly string[] | string): LinearFinding[] {
  if (typeof targets === 'string') {
    return linears.filter((l) => l.modulePath !== undefined && isTargetModule({ targetModules: targets, layersToTransform: null }, stripTemplate(l.modulePath)));
  }
  const wanted = new Set(targets);
  return linears.filter((l) => {
    if (l.modulePath === undefined) return false;
    const path = stripTemplate(l.modulePath);
    if (wanted.has(path)) return true;
    for (let dot = path.indexOf('.'); dot >= 0; dot = path.indexOf('.', dot + 1)) if (wanted.has(path.slice(dot + 1))) return true;
    return false;
  });
}

function stripTemplate(modulePath: string): string {
  return modulePath.endsWith('.*') ? modulePath.slice(0, -2) : modulePath;
}
