/**
 * Hover and tooltip text: every hover explains the rule, names the theorem it rests on, states the
 * guarantee and links to the analysis panel through a command URI.
 */
import { describeGuarantee, type RuleInfo } from '../theory';
import type { PanelLink } from './types';

/** The command the hover links to (declared in package.json; registered by the analysis commands). */
export const PANEL_COMMAND = 'loraLens.analyzeModel';

/** What each rule rests on, named by content (the paper's numbering differs between versions). */
const THEOREMS: Record<string, string> = {
  'transformer-worst-case':
    "Zeng & Lee, *The Expressive Power of Low-Rank Adaptation* (ICLR 2024), Transformer theorem: rank-⌈D/2⌉ LoRA on the attention matrices lets any Transformer represent any target Transformer of the same size",
  'per-matrix-architecture-bound': 'rank of a matrix: rank(ΔW) ≤ min(in, out), so the Eckart–Young–Mirsky truncation at min(in, out) is exact',
  'per-matrix-delta-rank': 'Eckart–Young–Mirsky theorem: a rank-r update reproduces ΔW exactly if and only if r ≥ rank(ΔW)',
  'full-update-parameter-comparison': 'parameter count: LoRA r·(in + out) against a full update in·out (arithmetic, no theorem needed)',
  'fnn-uniform-worst-case':
    'Zeng & Lee, *The Expressive Power of Low-Rank Adaptation* (ICLR 2024), FNN exact-representation theorem with the uniform partition, and its corollary for random models',
};

export function theoremFor(rule: string): string {
  return THEOREMS[rule] ?? 'Zeng & Lee, *The Expressive Power of Low-Rank Adaptation* (ICLR 2024)';
}

/** `command:loraLens.analyzeModel?<encoded [uri]>`. */
export function panelCommandUri(link: PanelLink): string {
  return `command:${PANEL_COMMAND}?${encodeURIComponent(link.argsJson)}`;
}

/** Escapes text from a model file so Markdown shows it literally (no links, emphasis or HTML). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`);
}

/** A Markdown code span showing `text` literally (the fence is longer than any backtick run inside). */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/[\r\n]+/g, ' ')}${pad}${fence}`;
}

/** 1234567 → "1,234,567" (fixed locale so tests and screenshots agree everywhere). */
export function formatCount(n: number): string {
  const rounded = Math.round(n);
  const digits = rounded.toString();
  // Hot path (a label per rank_pattern entry): group the digits of a plain safe integer by hand.
  if (rounded >= 0 && rounded <= Number.MAX_SAFE_INTEGER) {
    let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
    for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
    return out;
  }
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 1234567 → "1.23M", 2100000000 → "2.1B", 950 → "950". */
export function formatCompact(n: number): string {
  const units: [number, string][] = [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, suffix] of units) {
    if (Math.abs(n) >= size) return `${Number((n / size).toPrecision(3))}${suffix}`;
  }
  return String(n);
}

export interface HoverContent {
  /** Bold first line. */
  title: string;
  /** Facts, one Markdown line each (already escaped where they quote the file). */
  facts: string[];
  /** The rules the facts come from, in order of importance. */
  rules: RuleInfo[];
  link: PanelLink;
}

/** A memoised hover: `build` runs the first time the text is needed. */
export function lazyHover(build: () => HoverContent): () => string {
  let text: string | undefined;
  return () => (text ??= hoverMarkdown(build()));
}

/** Title, facts, then one "Rule" paragraph per rule (text, theorem, guarantee, caveats), then the link. */
export function hoverMarkdown(content: HoverContent): string {
  const parts = [`**LoRA Lens: ${escapeMarkdown(content.title)}**`, ''];
  for (const fact of content.facts) parts.push(`- ${fact}`);
  const seen = new Set<string>();
  for (const rule of content.rules) {
    if (seen.has(rule.rule)) continue;
    seen.add(rule.rule);
    parts.push('', `*Rule:* ${rule.ruleText}`, '', `*Theorem:* ${theoremFor(rule.rule)}. *Guarantee:* ${describeGuarantee(rule.guarantee)}.`);
    if (rule.caveats && rule.caveats.length > 0) parts.push('', `*Caveats:* ${rule.caveats.join('; ')}.`);
  }
  parts.push('', `[Open in the LoRA Lens panel](${panelCommandUri(content.link)})`);
  return parts.join('\n');
}
