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
import { Parser, Edit, type Tree, type TreeCursor } from 'web-tree-sitter';
import { summarizeStatement } from './extract';
import { buildFindings, FindingsCache, type PlacedStatement } from './findings';
import type { StatementSummary } from './ir';
import { loadPython, type LoadedPython, type PythonWasmPaths } from './loader';
import { LineTable } from './positions';
import { NameResolver } from './resolver';
import { interestingPattern, REPORTED_NAMES, SyntaxCopier } from './syntax';
import { collectSyntaxErrors, type ErrorIR } from './syntaxErrors';
import { diffTexts } from './textEdit';
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

interface CachedStatement {
  summary: StatementSummary;
}

class TreeSitterModelParser implements PythonModelParser {
  private readonly parser: Parser;
  private tree: Tree | undefined;
  private lastSource: string | undefined;
  private lastFindings: PythonFindings | undefined;
  /** Summaries by statement text; only the statements of the last analysis are kept. */
  private cache = new Map<string, CachedStatement>();
  /** Each statement's findings, reused while the statement and what it reads are unchanged. */
  private readonly findingsCache = new FindingsCache();
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
    const tree = this.parse(source);
    let statements = this.summarize(tree, source);
    // A renamed import of a reported class (`from torch.nn import Linear as L`) widens the
    // prefilter; summaries made with the narrower one must be redone.
    const aliases = new NameResolver(statements.map((s) => s.placed)).renamedImportsOf(REPORTED_NAMES);
    if (aliases.join(',') !== this.aliasNames.join(',')) {
      this.aliasNames = aliases;
      this.copier = new SyntaxCopier(this.loaded, interestingPattern(aliases));
      this.cache.clear();
      this.findingsCache.clear();
      statements = this.summarize(tree, source);
    }
    const lines = new LineTable(source);
    const findings: PythonFindings = {
      ...buildFindings(statements.map((s) => s.placed), source, lines, this.findingsCache),
      syntaxErrors: statements.flatMap(({ placed, errors }) => errors.map((e) => {
        const f: SyntaxErrorFinding = { kind: e.kind, range: lines.range(placed.base + e.span.start, placed.base + e.span.end) };
        if (e.missing !== undefined) f.missing = e.missing;
        return f;
      })),
    };
    this.lastSource = source;
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
    this.tree?.delete();
    this.tree = undefined;
    this.lastSource = undefined;
    this.lastFindings = undefined;
    this.cache.clear();
    this.findingsCache.clear();
  }

  /** Parses incrementally from the previous tree when there is one. */
  private parse(source: string): Tree {
    const old = this.tree;
    let tree: Tree | null;
    if (old && this.lastSource !== undefined) {
      const edit = diffTexts(this.lastSource, source);
      if (edit) old.edit(new Edit(edit));
      // A callback with small chunks: given a string, web-tree-sitter copies up to 5,120 characters
      // into wasm memory on every read, and an incremental parse reads again at each reused node.
      tree = this.parser.parse((index) => source.slice(index, index + PARSE_CHUNK_CHARS), old);
    } else {
      tree = this.parser.parse(source);
    }
    old?.delete();
    if (!tree) throw new Error('tree-sitter returned no tree');
    this.tree = tree;
    // The text the tree now describes; set before summaries so a throw below cannot desynchronise.
    this.lastSource = source;
    this.lastFindings = undefined;
    return tree;
  }

  /** One summary per top-level statement, reusing cached ones whose text is unchanged. */
  private summarize(tree: Tree, source: string): { placed: PlacedStatement; errors: ErrorIR[] }[] {
    const out: { placed: PlacedStatement; errors: ErrorIR[] }[] = [];
    const next = new Map<string, CachedStatement>();
    const cursor: TreeCursor = tree.walk();
    const rootHasError = tree.rootNode.hasError;
    try {
      if (cursor.gotoFirstChild()) {
        let index = 0;
        do {
          const start = cursor.startIndex;
          const end = cursor.endIndex;
          const text = source.slice(start, end);
          let cached = next.get(text) ?? this.cache.get(text);
          if (!cached) {
            const node = this.copier.copyStatement(cursor, source);
            cached = { summary: summarizeStatement(node, source) };
          }
          next.set(text, cached);
          // Error recovery can depend on the surrounding text, so errors are never taken from the cache.
          const errors = rootHasError ? this.errorsOf(tree, index) : [];
          out.push({ placed: { summary: cached.summary, base: start }, errors });
          index++;
        } while (cursor.gotoNextSibling());
      }
    } finally {
      cursor.delete();
    }
    this.cache = next;
    return out;
  }

  private errorsOf(tree: Tree, childIndex: number): ErrorIR[] {
    const node = tree.rootNode.child(childIndex);
    return node && (node.hasError || node.isMissing || node.isError) ? collectSyntaxErrors(node) : [];
  }
}

function emptyFindings(skipped: string): PythonFindings {
  return { linears: [], stacks: [], attention: [], loraConfigs: [], constants: [], syntaxErrors: [], skipped };
}
