/**
 * Copies the parts of one top-level statement that matter into plain JavaScript objects, with a
 * single TreeCursor walk. Every call into the wasm tree costs about a microsecond, so the walk
 * prunes: statement structure (blocks, defs, classes, assignments, imports, parameters, loop
 * targets) is always copied, but an expression is copied only when its text could hold something
 * we report (a layer or config call) or a name binding (comprehension, lambda, walrus). Everything
 * else stays a childless `pruned` node.
 */
import type { TreeCursor } from 'web-tree-sitter';
import type { LoadedPython } from './loader';

export interface SyntaxNode {
  type: string;
  /** The field this node fills in its parent ('' when none). */
  field: string;
  /** Absolute UTF-16 offsets into the analysed source. */
  start: number;
  end: number;
  /** False for anonymous tokens: punctuation, operators, keywords. */
  named: boolean;
  children: SyntaxNode[];
  /** True when the children were not copied (an uninteresting expression). */
  pruned: boolean;
}

/** Statements and statement-like nodes: always walked, their children judged one by one. */
const CONTAINERS = new Set([
  'module', 'ERROR', 'block', 'expression_statement', 'assignment', 'augmented_assignment',
  'function_definition', 'class_definition', 'decorated_definition', 'if_statement', 'elif_clause',
  'else_clause', 'for_statement', 'while_statement', 'try_statement', 'except_clause',
  'except_group_clause', 'finally_clause', 'with_statement', 'with_clause', 'with_item', 'as_pattern',
  'return_statement', 'match_statement', 'case_clause',
]);

/** Always copied whole: small, and they bind names. */
const FULL_TYPES = new Set([
  'import_statement', 'import_from_statement', 'future_import_statement', 'global_statement',
  'nonlocal_statement', 'parameters', 'lambda_parameters', 'as_pattern_target',
]);

/** Fields whose content binds names: copied whole whatever their text. */
const BINDING_FIELDS: Record<string, string> = {
  assignment: 'left',
  augmented_assignment: 'left',
  for_statement: 'left',
  class_definition: 'superclasses',
};

/** A module-level constant's value is copied whole unless it is this long (a data table, say). */
const MAX_CONSTANT_CHARS = 4096;
/** Deeper nesting is left pruned: bounded recursion on adversarial input. */
const MAX_DEPTH = 200;

type Mode = 'judge' | 'full';

/** Absolute [start, end] ranges (UTF-16, relative to the copied text) that hold ERROR or MISSING nodes. */
export interface ErrorRange {
  start: number;
  end: number;
}

/** A statement inside a block, as copied before, with what its copy depended on besides its text. */
interface CopiedBlockStatement {
  column: number;
  mode: Mode;
  depth: number;
  node: SyntaxNode;
}

/**
 * Block statements remembered per generation (two generations are kept: bounded memory). Keys are
 * whole statement texts (a method is one), so the bound is kept well above one keystroke's working
 * set (the statements of the edited class) but far below what a long session would pile up.
 */
const BLOCK_CACHE_ENTRIES = 4_000;

export class SyntaxCopier {
  private source = '';
  /**
   * Error ranges of the statement being copied; undefined when unknown (then nothing is taken
   * from or put into the block cache).
   */
  private errorRanges: readonly ErrorRange[] | undefined;
  /**
   * Copies of error-free statements inside blocks (a method, a line of `__init__`), by text, so
   * that an edit inside a class re-reads only the statements it touched. A statement is reused
   * only with the same text, starting column, mode and depth, and only when neither copy holds a
   * syntax error: a clean statement's tree depends on nothing but its text and indentation. The
   * copy is moved to the new offsets.
   */
  private blockCache = new Map<string, CopiedBlockStatement>();
  private olderBlockCache = new Map<string, CopiedBlockStatement>();

  constructor(
    private readonly tables: LoadedPython,
    /** Tests an expression's text: does it possibly contain something we report or a binding? */
    private readonly interesting: RegExp,
  ) {}

  /**
   * Copies the node under `cursor` (a top-level statement); the cursor is left where it was.
   * `errors`: where the statement has ERROR or MISSING nodes (empty for a clean statement);
   * without it, statements inside blocks are copied afresh and not remembered.
   */
  copyStatement(cursor: TreeCursor, source: string, errors?: readonly ErrorRange[]): SyntaxNode {
    this.source = source;
    this.errorRanges = errors;
    const node = this.copy(cursor, 'judge', true, 0);
    this.source = '';
    this.errorRanges = undefined;
    return node ?? { type: 'comment', field: '', start: cursor.startIndex, end: cursor.endIndex, named: true, children: [], pruned: false };
  }

  private copy(cursor: TreeCursor, mode: Mode, moduleLevel: boolean, depth: number): SyntaxNode | null {
    const typeId = cursor.nodeTypeId;
    const type = this.tables.typeNames[typeId] ?? '';
    if (type === 'comment') return null;
    const field = this.tables.fieldNames[cursor.currentFieldId] ?? '';
    const start = cursor.startIndex;
    const end = cursor.endIndex;
    const node: SyntaxNode = { type, field, start, end, named: this.tables.namedTypes[typeId] ?? false, children: [], pruned: false };
    if (depth > MAX_DEPTH) {
      node.pruned = true;
      return node;
    }
    let childMode: Mode = 'full';
    if (mode === 'judge') {
      if (CONTAINERS.has(type)) childMode = 'judge';
      else if (!FULL_TYPES.has(type) && !this.interesting.test(this.source.slice(start, end))) {
        node.pruned = true;
        return node;
      }
    }
    if (!cursor.gotoFirstChild()) return node;
    // Only expression statements and (chained) assignments keep the module level.
    const keepsModuleLevel = moduleLevel && (type === 'expression_statement' || type === 'assignment');
    const bindingField = childMode === 'judge' ? BINDING_FIELDS[type] : undefined;
    do {
      let mode2 = childMode;
      if (childMode === 'judge') {
        const childField = this.tables.fieldNames[cursor.currentFieldId] ?? '';
        if (bindingField !== undefined && childField === bindingField) mode2 = 'full';
        else if (type === 'as_pattern' && childField === 'alias') mode2 = 'full';
        else if (
          keepsModuleLevel && type === 'assignment' && childField === 'right' &&
          cursor.endIndex - cursor.startIndex <= MAX_CONSTANT_CHARS
        ) mode2 = 'full';
      }
      const child = type === 'block' ? this.copyBlockStatement(cursor, mode2, depth + 1) : this.copy(cursor, mode2, keepsModuleLevel, depth + 1);
      if (child) node.children.push(child);
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
    return node;
  }

  /** A statement inside a block (never at module level): from the block cache when it can be. */
  private copyBlockStatement(cursor: TreeCursor, mode: Mode, depth: number): SyntaxNode | null {
    const errors = this.errorRanges;
    const start = cursor.startIndex;
    const end = cursor.endIndex;
    if (!errors || end - start < MIN_CACHED_CHARS || errors.some((e) => e.start <= end && e.end >= start)) {
      return this.copy(cursor, mode, false, depth);
    }
    const text = this.source.slice(start, end);
    const column = start - (this.source.lastIndexOf('\n', start - 1) + 1);
    let known = this.blockCache.get(text);
    if (!known) {
      known = this.olderBlockCache.get(text);
      if (known) this.remember(text, known);
    }
    if (known && known.column === column && known.mode === mode && known.depth === depth) {
      // The field is the parent's business: taken from the cursor, as `copy` does.
      const field = this.tables.fieldNames[cursor.currentFieldId] ?? '';
      return moved(known.node, start - known.node.start, field);
    }
    const node = this.copy(cursor, mode, false, depth);
    if (node) this.remember(text, { column, mode, depth, node });
    return node;
  }

  private remember(text: string, entry: CopiedBlockStatement): void {
    if (this.blockCache.size >= BLOCK_CACHE_ENTRIES) {
      this.olderBlockCache = this.blockCache;
      this.blockCache = new Map();
    }
    this.blockCache.set(text, entry);
  }
}

/** Shorter block statements (`pass`, `x = 1`) are cheaper to copy than to look up. */
const MIN_CACHED_CHARS = 24;

/** A copy of `node` with every offset moved by `shift` (the root's field replaced). */
function moved(node: SyntaxNode, shift: number, field: string): SyntaxNode {
  return {
    type: node.type, field, start: node.start + shift, end: node.end + shift, named: node.named,
    children: node.children.map((c) => moved(c, shift, c.field)), pruned: node.pruned,
  };
}

/** The static part of the prefilter: names of everything reported, plus binding syntax. */
export const REPORTED_NAMES = [
  'Linear', 'Sequential', 'ModuleList', 'MultiheadAttention', 'TransformerEncoderLayer',
  'TransformerDecoderLayer', 'TransformerEncoder', 'TransformerDecoder', 'Transformer', 'LoraConfig',
];

/** Activation classes: copied too, so stacks show them between Linear layers. */
export const ACTIVATION_NAMES = [
  'ReLU', 'ReLU6', 'GELU', 'SiLU', 'Tanh', 'Sigmoid', 'LeakyReLU', 'ELU', 'SELU', 'CELU', 'PReLU',
  'RReLU', 'Softplus', 'Softsign', 'Mish', 'Hardtanh', 'Hardswish', 'Hardsigmoid', 'LogSigmoid',
  'Tanhshrink', 'Softshrink', 'Hardshrink', 'GLU', 'Softmax', 'LogSoftmax', 'Threshold',
];

/**
 * Builds the prefilter. `aliases` are extra local names that stand for reported classes
 * (`from torch.nn import Linear as L` adds `L`).
 */
export function interestingPattern(aliases: readonly string[]): RegExp {
  const words = [...REPORTED_NAMES, ...ACTIVATION_NAMES, ...aliases, 'for', 'lambda'].map(escapeRegex);
  return new RegExp(`\\b(?:${words.join('|')})\\b|:=`);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** First child with the given field, or undefined. */
export function fieldChild(node: SyntaxNode, field: string): SyntaxNode | undefined {
  for (const child of node.children) if (child.field === field) return child;
  return undefined;
}
