/**
 * The intermediate form one top-level statement is reduced to, once, and cached by its text.
 * It holds no tree-sitter objects: resolution and findings are plain JavaScript over these.
 *
 * Every `Span` is a half-open pair of UTF-16 offsets RELATIVE to the start of the owning
 * top-level statement, so a cached summary stays valid when the statement moves.
 */

export interface Span {
  start: number;
  end: number;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '**';

export type ExprIR =
  | { k: 'int'; value: number; span: Span }
  | { k: 'float'; value: number; span: Span }
  | { k: 'str'; value: string; span: Span }
  | { k: 'bool'; value: boolean; span: Span }
  | { k: 'none'; span: Span }
  | { k: 'name'; name: string; span: Span }
  | { k: 'unary'; op: '-' | '+'; arg: ExprIR; span: Span }
  | { k: 'binary'; op: BinaryOp; left: ExprIR; right: ExprIR; span: Span }
  /** list, tuple or set display */
  | { k: 'list'; items: ExprIR[]; span: Span }
  | { k: 'dict'; entries: { key: ExprIR; value: ExprIR }[]; span: Span }
  | { k: 'call'; call: CallIR; span: Span }
  /** `[element for target in iter …]` (also generator expressions) */
  | { k: 'comprehension'; element: ExprIR; clauses: { iter: ExprIR }[]; hasCondition: boolean; span: Span }
  /** `*value` inside a call's arguments or a list display */
  | { k: 'splat'; arg: ExprIR; span: Span }
  /** Not evaluated; `inner` keeps sub-expressions that contain calls, so nested layers are still found. */
  | { k: 'opaque'; reason: string; span: Span; inner?: ExprIR[] };

export interface KeywordIR {
  name: string;
  value: ExprIR;
  /** The whole `name=value`. */
  span: Span;
}

export interface CallIR {
  /** Dotted callee (`['nn', 'Linear']`), or null when the callee is not a plain name chain. */
  callee: string[] | null;
  calleeSpan: Span;
  /** The callee when it is not a plain name chain (`make()(x)`, `nn.Linear(3, 4).to`), for nested calls. */
  calleeExpr?: ExprIR;
  positional: ExprIR[];
  keywords: KeywordIR[];
  hasKeywordSplat: boolean;
  span: Span;
}

/** Where an expression sits: what it is assigned to and which class/function encloses it. */
export interface ExprSite {
  expr: ExprIR;
  /** `self.<name> = expr` or `<name> = expr` (the last target of a chained assignment). */
  target?: { kind: 'self' | 'name'; name: string; span: Span };
  /** Index into `StatementSummary.classes` of the innermost enclosing class, if any. */
  classIndex?: number;
  /** True when directly inside that class's `__init__` (possibly nested in if/for/with blocks). */
  inInit: boolean;
  /** Identifies the innermost function (or the module) within the statement; used for name links. */
  scope: number;
}

export interface ClassIR {
  name: string;
  nameSpan: Span;
  span: Span;
  /** Dotted base names (`['nn', 'Module']`); null for bases that are not plain name chains. */
  bases: (string[] | null)[];
}

export interface ImportIR {
  /** The local name bound. */
  local: string;
  /** The fully qualified target (`torch.nn` for `import torch.nn as nn`). */
  target: string;
}

/** A module-level `NAME = expr` (one entry per target of a chained assignment). */
export interface ConstantDefIR {
  name: string;
  nameSpan: Span;
  value: ExprIR;
}

export interface StatementSummary {
  constantDefs: ConstantDefIR[];
  /** Every other name this statement binds (params, loop targets, locals, defs, imports, …). */
  bindings: string[];
  imports: ImportIR[];
  /** `from torch.nn import *` style wildcard imports: the module names. */
  wildcardImports: string[];
  classes: ClassIR[];
  sites: ExprSite[];
}
