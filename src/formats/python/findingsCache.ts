/**
 * Per-document memory of what each top-level statement contributed to the findings, so that an
 * edit rebuilds only the statements it touched (and those whose file-wide inputs changed, e.g.
 * every `nn.Linear(HIDDEN, …)` when `HIDDEN = …` is edited).
 *
 * A statement's findings are a function of (a) its summary (cached by exact text, so the same
 * object comes back while the text is unchanged), (b) the answers to the questions it asked about
 * the rest of the file, recorded as `Dependency` values, and (c) where it starts. (c) is handled by
 * moving every position by the statement's shift; (b) by asking the questions again.
 */
import type { EvalResult } from './evaluate';
import type { StatementSummary } from './ir';
import { NameResolver, sameNames } from './resolver';
import type { AttentionFinding, LinearFinding, LoraConfigFinding, SourcePosition, StackFinding, TransformerLayerFinding } from './types';

/** One question a statement asked about the rest of the file, with the answer it got. */
export type Dependency =
  | { k: 'canonical'; parts: readonly string[]; value: string | null }
  | { k: 'lookup'; name: string; value: EvalResult }
  | { k: 'builtin'; name: string; value: boolean }
  | { k: 'moduleClass'; name: string; value: boolean }
  /** Compared by identity: the finding of another statement, as it was handed over. */
  | { k: 'layer'; key: string; value: TransformerLayerFinding | undefined };

/** Everything one statement contributed, at absolute positions for a statement starting at `start`. */
export interface StatementOutput {
  start: SourcePosition;
  deps: Dependency[];
  /** In the order the from-scratch walk pushes them (sorting later then gives the same order). */
  linears: LinearFinding[];
  stacks: StackFinding[];
  attention: AttentionFinding[];
  loraConfigs: LoraConfigFinding[];
  /** nn.Module subclasses this statement defines, for later statements' base-class checks. */
  moduleClasses: string[];
  /** Final value of each module-level layer name it assigned (undefined: assigned a non-layer). */
  layerWrites: Map<string, TransformerLayerFinding | undefined>;
}

export class FindingsCache {
  private readonly outputs = new Map<StatementSummary, StatementOutput>();
  /** The resolver of the last build and the summaries it was made from. */
  private names: { resolver: NameResolver; summaries: readonly StatementSummary[] } | undefined;
  /** The answer for the statements array last asked about (analysis and findings ask in turn). */
  private lastAsked: { statements: readonly { summary: StatementSummary }[]; answer: { resolver: NameResolver; namesChanged: boolean } } | undefined;

  /**
   * The name resolver for `statements`: the previous one when every statement binds the same
   * names as before (an edit inside a layer call, say), so names need not be resolved again and
   * `namesChanged` is false; else a new one.
   */
  resolverFor(statements: readonly { summary: StatementSummary; base: number }[]): { resolver: NameResolver; namesChanged: boolean } {
    if (this.lastAsked?.statements === statements) return this.lastAsked.answer;
    const summaries = statements.map((s) => s.summary);
    const before = this.names;
    let answer: { resolver: NameResolver; namesChanged: boolean };
    if (before && before.summaries.length === summaries.length && summaries.every((s, i) => sameNames(s, before.summaries[i]!))) {
      answer = { resolver: before.resolver, namesChanged: false };
    } else {
      answer = { resolver: new NameResolver(statements), namesChanged: true };
    }
    this.names = { resolver: answer.resolver, summaries };
    this.lastAsked = { statements, answer };
    return answer;
  }

  get(summary: StatementSummary): StatementOutput | undefined {
    return this.outputs.get(summary);
  }

  set(summary: StatementSummary, output: StatementOutput): void {
    this.outputs.set(summary, output);
  }

  /** Drops statements that are no longer in the document. */
  keepOnly(summaries: readonly StatementSummary[]): void {
    if (this.outputs.size <= summaries.length) return;
    const live = new Set(summaries);
    for (const key of this.outputs.keys()) if (!live.has(key)) this.outputs.delete(key);
  }

  clear(): void {
    this.outputs.clear();
    this.names = undefined;
    this.lastAsked = undefined;
  }
}

/**
 * The output for the statement now starting at `start`: the cached one itself when it has not
 * moved, else a copy with every position shifted. Positions on the statement's first line move by
 * the line and column shift, later lines by the line shift only (the statement's text is the same).
 * Objects shared inside the output (a Linear in `linears` and in a stack) stay shared in the copy.
 */
export function rebaseOutput(output: StatementOutput, start: SourcePosition): StatementOutput {
  const from = output.start;
  if (from.line === start.line && from.character === start.character) return output;
  const lineShift = start.line - from.line;
  const columnShift = start.character - from.character;
  const copies = new Map<object, unknown>();
  const copy = <T>(value: T): T => {
    if (typeof value !== 'object' || value === null) return value;
    const known = copies.get(value);
    if (known !== undefined) return known as T;
    let result: unknown;
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      copies.set(value, items);
      for (const item of value) items.push(copy(item));
      result = items;
    } else if (isPosition(value)) {
      result = value.line === from.line
        ? { line: start.line, character: value.character + columnShift }
        : { line: value.line + lineShift, character: value.character };
      copies.set(value, result);
    } else {
      const fields: Record<string, unknown> = {};
      copies.set(value, fields);
      for (const key of Object.keys(value)) fields[key] = copy((value as Record<string, unknown>)[key]);
      result = fields;
    }
    return result as T;
  };
  const layerWrites = new Map<string, TransformerLayerFinding | undefined>();
  for (const [key, finding] of output.layerWrites) layerWrites.set(key, copy(finding));
  return {
    start,
    deps: output.deps,
    linears: copy(output.linears),
    stacks: copy(output.stacks),
    attention: copy(output.attention),
    loraConfigs: copy(output.loraConfigs),
    moduleClasses: output.moduleClasses,
    layerWrites,
  };
}

function isPosition(value: object): value is SourcePosition {
  return 'line' in value && 'character' in value && Object.keys(value).length === 2;
}

/** Structural equality of two evaluation results (values and reasons). */
export function sameEval(a: EvalResult, b: EvalResult): boolean {
  if (a === b) return true;
  if ('unres' in a || 'unres' in b) return 'unres' in a && 'unres' in b && a.reason === b.reason;
  if (a.t !== b.t) return false;
  switch (a.t) {
    case 'none': return true;
    case 'list': {
      const items = (b as typeof a).items;
      return a.items.length === items.length && a.items.every((x, i) => sameEval(x, items[i]!));
    }
    case 'dict': {
      const entries = (b as typeof a).entries;
      return a.entries.length === entries.length &&
        a.entries.every(([k, v], i) => sameEval(k, entries[i]![0]) && sameEval(v, entries[i]![1]));
    }
    default: return Object.is(a.v, (b as typeof a).v);
  }
}
