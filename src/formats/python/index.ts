/**
 * Reads PyTorch / PEFT model source for the editor's inline hints.
 *
 * Speed comes from three layers of reuse between calls of `analyze` on the same parser:
 * - the previous tree: the edit is found by diffing the texts, so tree-sitter re-parses
 *   incrementally without the caller tracking edits;
 * - each top-level statement's summary, cached by its exact text: only edited statements are
 *   walked again;
 * - the walk itself is pruned to statements and to expressions that can hold a finding.
 * Findings are then rebuilt from the summaries in plain JavaScript.
 */
import { Parser, Edit, type Node, type Tree, type TreeCursor } from 'web-tree-sitter';
import { summarizeStatement } from './extract';
import { buildFindings, FindingsCache, type PlacedStatement } from './findings';
import type { StatementSummary } from './ir';
import { loadPython, type LoadedPython, type PythonWasmPaths } from './loader';
import { LineTable } from './positions';
import { interestingPattern, REPORTED_NAMES, SyntaxCopier, type ErrorRange } from './syntax';
import { cutSegments, isCleanEnd, MAX_SEGMENT_CHARS, segmentAt, startsCleanly, type Segment, type SegmentStatement } from './segments';
import { collectSyntaxErrors, type ErrorIR } from './syntaxErrors';
import { diffTexts, type TreeEdit } from './textEdit';
import type { PythonFindings, SyntaxErrorFinding } from './types';

export * from './types';
export type { PythonWasmPaths } from './loader';

export interface PythonModelParser {
  /**
   * Analyses a whole document. Calling it again with an edited version of the same document
   * re-parses incrementally (keep one parser per open document to benefit). The returned object
   * is fresh on every call that changed the text, and shared when the text is unchanged.
   */
  analyze(source: string): PythonFindings;
  /** Frees the wasm memory held by the parser and its last tree. */
  dispose(): void;
}

/** Documents larger than this are not analysed (a hint pass must never stall the editor). */
export const MAX_SOURCE_CHARS = 4_000_000;

/**
 * Loads the runtime and grammar once per process (the promise is memoised; a failure is not) and
 * returns a new parser. Rejects with a `FormatError` naming the wasm file when it cannot be loaded.
 */
export async function createPythonParser(wasmPaths: PythonWasmPaths): Promise<PythonModelParser> {
  const loaded = await loadPython(wasmPaths);
  return new TreeSitterModelParser(loaded);
}

/** Characters handed to tree-sitter per read during an incremental parse (tuned in python.bench). */
const PARSE_CHUNK_CHARS = 256;

type WalkedStatement = SegmentStatement & { errors: ErrorIR[] };

interface WholeWalk {
  text: string;
  statements: WalkedStatement[];
}

/** One top-level statement as the findings builder wants it, with its syntax errors. */
interface PlacedWithErrors {
  placed: PlacedStatement;
  errors: ErrorIR[];
}

/** How many times a segment is widened to a clean boundary before the whole document is parsed instead. */
const MAX_WIDENINGS = 4;

class TreeSitterModelParser implements PythonModelParser {
  private readonly parser: Parser;
  /**
   * The whole-document tree and the text its edits correspond to. Parsed only when segments
   * cannot be used (syntax errors, first analysis); while segments serve, each edit is still
   * recorded in it (cheap), so its next parse is incremental around the edits.
   */
  private whole: { tree: Tree; text: string } | undefined;
  /** The document as separately parsed segments, while every one of them is clean (see segments.ts). */
  private segments: Segment[] | undefined;
  private lastSource: string | undefined;
  private lastFindings: PythonFindings | undefined;
  /** The statements of the last whole-document walk, with the text they were read from. */
  private lastWalk: WholeWalk | undefined;
  /** Summaries by statement text: the last whole-document walk's, plus segments re-parsed since. */
  private cache = new Map<string, StatementSummary>();
  /** Each statement's findings, reused while the statement and what it reads are unchanged. */
  private readonly findingsCache = new FindingsCache();
  private lastLines: { text: string; lines: LineTable } | undefined;
  private lastDiff: { oldText: string; newText: string; edit: TreeEdit | undefined } | undefined;
  private aliasNames: string[] = [];
  private copier: SyntaxCopier;
  private disposed = false;

  constructor(private readonly loaded: LoadedPython) {
    this.parser = new Parser();
    this.parser.setLanguage(loaded.language);
    this.copier = new SyntaxCopier(loaded, interestingPattern([]));
  }

  analyze(source: string): PythonFindings {
    if (this.disposed) throw new Error('PythonModelParser.analyze called after dispose()');
    if (source === this.lastSource && this.lastFindings) return this.lastFindings;
    if (source.length > MAX_SOURCE_CHARS) {
      this.reset();
      return emptyFindings(`document has ${source.length} characters; the limit for analysis is ${MAX_SOURCE_CHARS}`);
    }
    let statements = this.segmentedStatements(source) ?? this.wholeStatements(source);
    // The text the trees now describe; set before findings so a throw below cannot desynchronise.
    this.lastSource = source;
    this.lastFindings = undefined;
    // A renamed import of a reported class (`from torch.nn import Linear as L`) widens the
    // prefilter; summaries made with the narrower one must be redone.
    let placed = statements.map((s) => s.placed);
    const aliases = this.findingsCache.resolverFor(placed).resolver.renamedImportsOf(REPORTED_NAMES);
    if (aliases.join(',') !== this.aliasNames.join(',')) {
      this.aliasNames = aliases;
      this.copier = new SyntaxCopier(this.loaded, interestingPattern(aliases));
      this.cache.clear();
      this.findingsCache.clear();
      this.lastWalk = undefined;
      this.dropSegments();
      statements = this.wholeStatements(source);
      placed = statements.map((s) => s.placed);
    }
    const lines = this.lineTableFor(source);
    const findings: PythonFindings = {
      ...buildFindings(placed, source, lines, this.findingsCache),
      syntaxErrors: statements.flatMap(({ placed, errors }) => errors.map((e) => {
        const f: SyntaxErrorFinding = { kind: e.kind, range: lines.range(placed.base + e.span.start, placed.base + e.span.end) };
        if (e.missing !== undefined) f.missing = e.missing;
        return f;
      })),
    };
    this.lastFindings = findings;
    return findings;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.reset();
    this.parser.delete();
  }

  private reset(): void {
    this.whole?.tree.delete();
    this.whole = undefined;
    this.dropSegments();
    this.lastSource = undefined;
    this.lastFindings = undefined;
    this.lastWalk = undefined;
    this.lastDiff = undefined;
    this.lastLines = undefined;
    this.cache.clear();
    this.findingsCache.clear();
  }

  private dropSegments(): void {
    for (const segment of this.segments ?? []) segment.tree?.delete();
    this.segments = undefined;
  }

  /** Line starts of `source`, updated from the previous analysis's table around the edit. */
  private lineTableFor(source: string): LineTable {
    const previous = this.lastLines;
    const edit = previous && this.diff(previous.text, source);
    const lines = previous && edit ? LineTable.edited(previous.lines, source, edit) : new LineTable(source);
    this.lastLines = { text: source, lines };
    return lines;
  }

  /**
   * `diffTexts`, remembering the last answer: a keystroke that ends in a whole-document walk asks
   * for the same diff of the whole text twice (to update the segments, then to place the walk).
   */
  private diff(oldText: string, newText: string): TreeEdit | undefined {
    const last = this.lastDiff;
    if (last && last.oldText === oldText && last.newText === newText) return last.edit;
    const edit = diffTexts(oldText, newText);
    this.lastDiff = { oldText, newText, edit };
    return edit;
  }

  // ---- the whole document at once ----

  /** Parses the whole document (incrementally when there is a previous tree) and walks every statement. */
  private wholeStatements(source: string): PlacedWithErrors[] {
    const old = this.whole;
    let tree: Tree | null;
    let changed: { startIndex: number; endIndex: number }[] | undefined;
    if (old) {
      const edit = diffTexts(old.text, source);
      if (edit) old.tree.edit(new Edit(edit));
      // A callback with small chunks: given a string, web-tree-sitter copies up to 5,120 characters
      // into wasm memory on every read, and an incremental parse reads again at each reused node.
      tree = this.parser.parse((index) => source.slice(index, index + PARSE_CHUNK_CHARS), old.tree);
      if (tree) changed = tree.getChangedRanges(old.tree);
      old.tree.delete();
    } else {
      tree = this.parser.parse(source);
    }
    this.whole = undefined;
    if (!tree) throw new Error('tree-sitter returned no tree');
    this.whole = { tree, text: source };
    const rootHasError = tree.rootNode.hasError;
    const walked = this.lastWalk && changed
      ? this.walkChanged(tree, source, this.lastWalk, changed)
      : this.walk(tree, source, this.cache, rootHasError);
    this.lastWalk = { text: source, statements: walked };
    if (this.cache.size > 4 * walked.length + 64) this.cache = new Map(walked.map((s) => [s.text, s.summary]));
    else for (const s of walked) this.cache.set(s.text, s.summary);
    if (!rootHasError) {
      // Clean: (re)cut segments from this tree.
      this.segments = this.cutKeepingTrees(source, walked);
    } else if (this.segments && segmentsEnd(this.segments) !== source.length) {
      this.dropSegments(); // not in step with the text (cannot happen; defensive)
    }
    return walked.map((s) => ({ placed: { summary: s.summary, base: s.start }, errors: s.errors }));
  }

  /**
   * Segments cut from a clean whole-document walk. A new segment with exactly the start and text
   * of a current one (the document is the same text, so its tree describes that text) takes over
   * that segment's tree, so that typing on in the segment just fixed stays an incremental parse;
   * the other segments have no tree until edited, and the remaining old trees are freed.
   */
  private cutKeepingTrees(source: string, walked: readonly WalkedStatement[]): Segment[] {
    const fresh = cutSegments(source, 0, walked);
    const old = this.segments;
    if (old && segmentsEnd(old) === source.length) {
      const byStart = new Map<number, Segment>();
      for (const segment of old) if (segment.tree) byStart.set(segment.start, segment);
      if (byStart.size > 0) {
        for (const segment of fresh) {
          const match = byStart.get(segment.start);
          if (match && match.text === segment.text) {
            segment.tree = match.tree;
            match.tree = undefined;
          }
        }
      }
    }
    this.dropSegments();
    return fresh;
  }

  /**
   * Like `walk`, but only the statements around what changed are read from the tree. The zone
   * [from, to] covers the text changed since the previous whole-document walk and tree-sitter's
   * changed ranges; outside it text and structure are the same. The previous walk's statements
   * that end before the zone are kept, except the last one (it may have grown into the zone: a
   * line deleted before an indented block joins the block to it); reading starts there, and from
   * the first statement after the zone that starts and ends where a previous one would (moved by
   * the text's length change), the rest are taken over.
   */
  private walkChanged(tree: Tree, source: string, previous: WholeWalk, changed: readonly { startIndex: number; endIndex: number }[]): WalkedStatement[] {
    const edit = this.diff(previous.text, source);
    const delta = edit ? edit.newEndIndex - edit.oldEndIndex : 0;
    let from = edit ? edit.startIndex : Infinity;
    let to = edit ? edit.newEndIndex : -Infinity;
    for (const r of changed) {
      from = Math.min(from, r.startIndex);
      to = Math.max(to, r.endIndex);
    }
    if (from > to) return previous.statements; // nothing changed
    const statements = previous.statements;
    let kept = 0;
    while (kept < statements.length && statements[kept]!.end < from) kept++;
    kept = Math.max(0, kept - 1);
    const out: WalkedStatement[] = statements.slice(0, kept);
    const readFrom = kept < statements.length ? Math.min(statements[kept]!.start, from) : from;
    // Previous statements after the edit, by where they start now.
    const oldEnd = edit ? edit.oldEndIndex : to;
    const after = new Map<number, number>();
    for (let i = kept; i < statements.length; i++) {
      const s = statements[i]!;
      if (s.start > oldEnd && s.start + delta > to) after.set(s.start + delta, i);
    }
    const cursor = tree.walk();
    try {
      // The first statement that contains or starts after `readFrom`.
      if (!cursor.gotoFirstChildForIndex(readFrom)) return out;
      do {
        const start = cursor.startIndex;
        const end = cursor.endIndex;
        const at = after.get(start);
        if (at !== undefined && statements[at]!.end + delta === end) {
          for (let i = at; i < statements.length; i++) {
            const s = statements[i]!;
            out.push(delta === 0 ? s : { ...s, start: s.start + delta, end: s.end + delta });
          }
          return out;
        }
        const statementText = source.slice(start, end);
        const node = cursor.currentNode;
        const { errors, ranges } = errorsAndRanges(node);
        const summary = this.cache.get(statementText) ?? summarizeStatement(this.copier.copyStatement(cursor, source, ranges), source);
        out.push({ start, end, text: statementText, summary, comment: node.type === 'comment', errors });
      } while (cursor.gotoNextSibling());
    } finally {
      cursor.delete();
    }
    return out;
  }

  /** One summary per top-level statement of `tree` (offsets relative to `text`), reusing known ones by text. */
  private walk(tree: Tree, text: string, known: ReadonlyMap<string, StatementSummary>, withErrors: boolean): WalkedStatement[] {
    const out: WalkedStatement[] = [];
    const cursor: TreeCursor = tree.walk();
    try {
      if (cursor.gotoFirstChild()) {
        let index = 0;
        do {
          const start = cursor.startIndex;
          const end = cursor.endIndex;
          const statementText = text.slice(start, end);
          // Error recovery can depend on the surrounding text, so errors are never taken from a cache.
          const { errors, ranges } = withErrors ? errorsAndRanges(tree.rootNode.child(index)) : NO_ERRORS;
          let summary = known.get(statementText);
          if (!summary) summary = summarizeStatement(this.copier.copyStatement(cursor, text, ranges), text);
          out.push({ start, end, text: statementText, summary, comment: cursor.nodeType === 'comment', errors });
          index++;
        } while (cursor.gotoNextSibling());
      }
    } finally {
      cursor.delete();
    }
    return out;
  }

  // ---- segments ----

  /**
   * Applies the edit to the segments it touches and re-parses only those. Undefined when the
   * document cannot be served from segments (a segment has syntax errors, or no clean boundary
   * was found): the whole document is parsed instead, and the segments stay, in step with the
   * text (an edit in a clean segment is still a segment re-parse; the whole parse that finds the
   * document clean again cuts fresh segments).
   */
  private segmentedStatements(source: string): PlacedWithErrors[] | undefined {
    const segments = this.segments;
    const previous = this.lastSource;
    if (!segments || previous === undefined) return undefined;
    const edit = this.diff(previous, source);
    if (!edit) return undefined;
    if (this.whole && this.whole.text === previous) {
      // Keep the whole-document tree in step, so a later whole parse stays incremental.
      this.whole.tree.edit(new Edit(edit));
      this.whole.text = source;
    }
    const delta = edit.newEndIndex - edit.oldEndIndex;
    let first = segmentAt(segments, edit.startIndex);
    let last = edit.oldEndIndex > edit.startIndex ? segmentAt(segments, edit.oldEndIndex - 1) : first;
    let replacement: Segment[] | undefined;
    let from = 0;
    let text = '';
    if (segments.slice(first, last + 1).some((s) => s.dirty)) {
      // The edit lands in a segment that already has syntax errors: the whole document is parsed
      // anyway (its tree alone tells whether the errors are gone; when they are, segments are cut
      // again from it), so this segment is not parsed, only kept in step with the text: its tree
      // gets the edit, for an incremental parse once it serves again (see `cutKeepingTrees`).
      from = segments[first]!.start;
      const oldTo = last + 1 < segments.length ? segments[last + 1]!.start : previous.length;
      text = source.slice(from, oldTo + delta);
      const single = first === last ? segments[first]! : undefined;
      let tree: Tree | undefined;
      if (single?.tree) {
        const segmentEdit = diffTexts(single.text, text);
        if (segmentEdit) single.tree.edit(new Edit(segmentEdit));
        tree = single.tree;
        single.tree = undefined; // handed over (the touched segments' trees are deleted below)
      }
      replacement = [{ start: from, text, tree, statements: [], dirty: true }];
    }
    for (let attempt = 0; attempt <= MAX_WIDENINGS && !replacement; attempt++) {
      from = segments[first]!.start;
      const oldTo = last + 1 < segments.length ? segments[last + 1]!.start : previous.length;
      text = source.slice(from, oldTo + delta);
      const parsed = this.parseSegment(segments, first, last, text);
      if (parsed.problem === 'start' && first > 0) first--;
      else if (parsed.problem === 'end' && last + 1 < segments.length) last++;
      else if (parsed.problem) {
        // Kept with its tree, in step with the text, not usable until clean.
        replacement = [{ start: from, text, tree: parsed.tree, statements: [], dirty: true }];
      } else if (text.length === 0) replacement = [];
      else if (text.length > MAX_SEGMENT_CHARS) {
        parsed.tree?.delete();
        replacement = cutSegments(text, from, parsed.statements);
      } else replacement = [{ start: from, text, tree: parsed.tree, statements: parsed.statements, dirty: false }];
    }
    replacement ??= [{ start: from, text, tree: undefined, statements: [], dirty: true }];
    // Replace the touched segments; later ones move by the edit's length change.
    for (let i = first; i <= last; i++) segments[i]!.tree?.delete();
    for (let i = last + 1; i < segments.length; i++) segments[i]!.start += delta;
    segments.splice(first, last - first + 1, ...replacement);
    if (segments.length === 0) segments.push({ start: 0, text: '', tree: undefined, statements: [], dirty: false });
    if (segments.some((s) => s.dirty)) return undefined;
    const out: PlacedWithErrors[] = [];
    for (const segment of segments) {
      for (const s of segment.statements) out.push({ placed: { summary: s.summary, base: segment.start + s.start }, errors: [] });
    }
    return out;
  }

  /**
   * Parses the new `text` of segments first..last (incrementally when it is one segment with a
   * tree) and checks it. `problem`: syntax errors, or a boundary that is not clean at the start or
   * the end (then the segment is widened to the neighbour).
   */
  private parseSegment(segments: Segment[], first: number, last: number, text: string):
    { problem?: 'errors' | 'start' | 'end'; tree: Tree | undefined; statements: SegmentStatement[] } {
    const isFirst = first === 0;
    const isLast = last === segments.length - 1;
    if (text.length === 0) return { tree: undefined, statements: [] };
    // The previous segment ends with a line break (checked when it was parsed).
    if (!isFirst && !startsCleanly(text)) return { problem: 'start', tree: undefined, statements: [] };
    const single = first === last ? segments[first]! : undefined;
    let tree: Tree | null;
    if (single?.tree) {
      const edit = diffTexts(single.text, text);
      const old = single.tree;
      if (edit) old.edit(new Edit(edit));
      tree = this.parser.parse((index) => text.slice(index, index + PARSE_CHUNK_CHARS), old);
      old.delete();
      single.tree = undefined;
    } else {
      tree = this.parser.parse(text);
    }
    if (!tree) throw new Error('tree-sitter returned no tree');
    if (tree.rootNode.hasError) return { problem: 'errors', tree, statements: [] };
    const known = new Map<string, StatementSummary>();
    for (let i = first; i <= last; i++) for (const s of segments[i]!.statements) known.set(s.text, s.summary);
    const statements: SegmentStatement[] = this.walk(tree, text, known, false).map(({ errors: _errors, ...s }) => s);
    // For the next whole-document walk (replaced by each such walk, so it stays bounded).
    for (const s of statements) this.cache.set(s.text, s.summary);
    if (!isLast) {
      const lastStatement = statements[statements.length - 1];
      if (lastStatement?.comment || !isCleanEnd(text, lastStatement?.end ?? 0, text.length)) {
        tree.delete();
        return { problem: 'end', tree: undefined, statements: [] };
      }
    }
    return { tree, statements };
  }
}

const NO_ERRORS: { errors: ErrorIR[]; ranges: ErrorRange[] } = { errors: [], ranges: [] };

/**
 * A top-level statement's syntax errors, and the same as absolute ranges for the copier
 * (undefined when the list was truncated: then the copier trusts no part of the statement).
 */
function errorsAndRanges(node: Node | null): { errors: ErrorIR[]; ranges: ErrorRange[] | undefined } {
  if (!node || !(node.hasError || node.isMissing || node.isError)) return { errors: [], ranges: [] };
  const limits = { truncated: false };
  const errors = collectSyntaxErrors(node, limits);
  const base = node.startIndex;
  return { errors, ranges: limits.truncated ? undefined : errors.map((e) => ({ start: base + e.span.start, end: base + e.span.end })) };
}

function segmentsEnd(segments: readonly Segment[]): number {
  const last = segments[segments.length - 1]!;
  return last.start + last.text.length;
}


function emptyFindings(skipped: string): PythonFindings {
  return { linears: [], stacks: [], attention: [], loraConfigs: [], constants: [], syntaxErrors: [], skipped };
}
