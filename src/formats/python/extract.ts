/**
 * Reduces one copied top-level statement (`SyntaxNode`) to its `StatementSummary`: the expressions
 * that contain calls (with what they are assigned to and where), module-level constant
 * definitions, every other name binding, imports and classes. Offsets become relative to the
 * statement start.
 */
import type {
  BinaryOp, CallIR, ClassIR, ExprIR, ExprSite, ImportIR, KeywordIR, Span, StatementSummary,
} from './ir';
import { decodeStringLiteral, parseFloatLiteral, parseIntegerLiteral } from './literals';
import { fieldChild, type SyntaxNode } from './syntax';

interface Context {
  classIndex?: number;
  inInit: boolean;
  inClassBody: boolean;
  scope: number;
  moduleLevel: boolean;
}

const BINARY_OPS = new Set<string>(['+', '-', '*', '/', '//', '%', '**']);

/** Statement kinds walked as statements; any other named node is an expression. */
const STATEMENTS = new Set([
  'module', 'ERROR', 'block', 'expression_statement', 'function_definition', 'class_definition',
  'decorated_definition', 'if_statement', 'elif_clause', 'else_clause', 'for_statement',
  'while_statement', 'try_statement', 'except_clause', 'except_group_clause', 'finally_clause',
  'with_statement', 'with_clause', 'with_item', 'return_statement', 'import_statement',
  'import_from_statement', 'future_import_statement', 'global_statement', 'nonlocal_statement',
  'match_statement', 'case_clause', 'pass_statement', 'break_statement', 'continue_statement',
  'assignment', 'augmented_assignment', 'as_pattern',
]);

export function summarizeStatement(root: SyntaxNode, source: string): StatementSummary {
  return new Extractor(root.start, source).run(root);
}

class Extractor {
  private readonly summary: StatementSummary = {
    constantDefs: [], bindings: [], imports: [], wildcardImports: [], classes: [], sites: [],
  };
  private scopes = 0;
  private calls = 0;

  constructor(
    private readonly base: number,
    private readonly source: string,
  ) {}

  run(root: SyntaxNode): StatementSummary {
    this.statement(root, { inInit: false, inClassBody: false, scope: 0, moduleLevel: true });
    return this.summary;
  }

  private span(node: SyntaxNode): Span {
    return { start: node.start - this.base, end: node.end - this.base };
  }

  private text(node: SyntaxNode): string {
    return this.source.slice(node.start, node.end);
  }

  // ---- statements ----

  private statement(node: SyntaxNode, ctx: Context): void {
    switch (node.type) {
      case 'assignment':
        return this.assignment(node, ctx);
      case 'augmented_assignment': {
        const left = fieldChild(node, 'left');
        if (left) this.bindTargets(left);
        const right = fieldChild(node, 'right');
        if (right) this.site(right, ctx);
        return;
      }
      case 'function_definition':
        return this.functionDefinition(node, ctx);
      case 'class_definition':
        return this.classDefinition(node);
      case 'import_statement':
        return this.importStatement(node);
      case 'import_from_statement':
      case 'future_import_statement':
        return this.importFrom(node);
      case 'global_statement':
      case 'nonlocal_statement':
        for (const child of node.children) if (child.type === 'identifier') this.bind(child);
        return;
      case 'for_statement': {
        const left = fieldChild(node, 'left');
        if (left) this.bindTargets(left);
        break;
      }
      case 'as_pattern': {
        const alias = fieldChild(node, 'alias');
        if (alias) this.bindTargets(alias);
        for (const child of node.children) if (child !== alias && child.named) this.site(child, ctx);
        return;
      }
    }
    // Generic: statements recurse, expressions become sites. Module level survives only through
    // expression statements (and ERROR nodes directly under the module, which hold statements).
    const keepLevel = ctx.moduleLevel && (node.type === 'expression_statement' || node.type === 'module' || node.type === 'ERROR');
    const inner = keepLevel === ctx.moduleLevel ? ctx : { ...ctx, moduleLevel: false };
    for (const child of node.children) {
      if (!child.named || child.field === 'left') continue;
      if (STATEMENTS.has(child.type)) this.statement(child, inner);
      else this.site(child, inner);
    }
  }

  private assignment(node: SyntaxNode, ctx: Context): void {
    // Chained `a = b = value`: the right side of each assignment is the next assignment.
    const targets: SyntaxNode[] = [];
    let current: SyntaxNode | undefined = node;
    let value: SyntaxNode | undefined;
    while (current) {
      const left = fieldChild(current, 'left');
      if (left) targets.push(left);
      const right = fieldChild(current, 'right');
      if (right?.type === 'assignment') current = right;
      else {
        value = right;
        current = undefined;
      }
    }
    if (!value) {
      // `x: int` declares without binding at run time; nothing else to record.
      return;
    }
    const valueExpr = this.expr(value);
    let target: ExprSite['target'];
    for (const left of targets) {
      if (left.type === 'identifier' && ctx.moduleLevel) {
        this.summary.constantDefs.push({ name: this.text(left), nameSpan: this.span(left), value: valueExpr });
        target ??= { kind: 'name', name: this.text(left), span: this.span(left) };
      } else if (left.type === 'identifier') {
        this.bind(left);
        target ??= { kind: 'name', name: this.text(left), span: this.span(left) };
      } else if (left.type === 'attribute' && this.isSelfAttribute(left)) {
        const attr = fieldChild(left, 'attribute')!;
        target ??= { kind: 'self', name: this.text(attr), span: this.span(left) };
      } else {
        this.bindTargets(left);
      }
    }
    this.pushSite(valueExpr, ctx, target);
  }

  private isSelfAttribute(node: SyntaxNode): boolean {
    const object = fieldChild(node, 'object');
    return object?.type === 'identifier' && this.text(object) === 'self' && fieldChild(node, 'attribute') !== undefined;
  }

  private functionDefinition(node: SyntaxNode, ctx: Context): void {
    const name = fieldChild(node, 'name');
    if (name) this.bind(name);
    const params = fieldChild(node, 'parameters');
    if (params) this.bindParameters(params);
    const body = fieldChild(node, 'body');
    if (!body) return;
    const inner: Context = {
      classIndex: ctx.classIndex,
      inInit: ctx.inClassBody && name !== undefined && this.text(name) === '__init__',
      inClassBody: false,
      scope: ++this.scopes,
      moduleLevel: false,
    };
    this.statement(body, inner);
  }

  private classDefinition(node: SyntaxNode): void {
    const name = fieldChild(node, 'name');
    if (!name) return;
    this.bind(name);
    const bases: ClassIR['bases'] = [];
    const superclasses = fieldChild(node, 'superclasses');
    if (superclasses) {
      for (const base of superclasses.children) {
        if (base.type === 'identifier' || base.type === 'attribute') bases.push(this.dotted(base));
      }
    }
    const classIndex = this.summary.classes.length;
    this.summary.classes.push({ name: this.text(name), nameSpan: this.span(name), span: this.span(node), bases });
    const body = fieldChild(node, 'body');
    if (body) {
      this.statement(body, { classIndex, inInit: false, inClassBody: true, scope: ++this.scopes, moduleLevel: false });
    }
  }

  private importStatement(node: SyntaxNode): void {
    for (const child of node.children) {
      if (child.type === 'dotted_name') {
        // `import torch.nn` binds `torch`.
        const head = child.children.find((c) => c.type === 'identifier');
        if (head) this.addImport(this.text(head), this.text(head));
      } else if (child.type === 'aliased_import') {
        const name = fieldChild(child, 'name');
        const alias = fieldChild(child, 'alias');
        if (name && alias) this.addImport(this.text(alias), this.dottedText(name));
      }
    }
  }

  private importFrom(node: SyntaxNode): void {
    const moduleNode = fieldChild(node, 'module_name');
    const moduleName = moduleNode ? this.dottedText(moduleNode) : '__future__';
    for (const child of node.children) {
      if (child === moduleNode) continue;
      if (child.type === 'wildcard_import') this.summary.wildcardImports.push(moduleName);
      else if (child.type === 'dotted_name' && child.field === 'name') {
        this.addImport(this.dottedText(child), `${moduleName}.${this.dottedText(child)}`);
      } else if (child.type === 'aliased_import') {
        const name = fieldChild(child, 'name');
        const alias = fieldChild(child, 'alias');
        if (name && alias) this.addImport(this.text(alias), `${moduleName}.${this.dottedText(name)}`);
      }
    }
  }

  private addImport(local: string, target: string): void {
    this.summary.imports.push({ local, target } satisfies ImportIR);
  }

  /** `torch . nn` → `torch.nn` (whitespace and comments inside dotted names are legal). */
  private dottedText(node: SyntaxNode): string {
    if (node.children.length === 0) return this.text(node);
    return node.children.filter((c) => c.type === 'identifier' || c.type === 'import_prefix' || c.type === 'dotted_name')
      .map((c) => (c.type === 'import_prefix' ? this.text(c).replace(/\s/g, '') : this.dottedText(c)))
      .join(node.type === 'relative_import' ? '' : '.');
  }

  // ---- bindings ----

  private bind(identifier: SyntaxNode): void {
    if (identifier.end > identifier.start) this.summary.bindings.push(this.text(identifier));
  }

  /** Every identifier bound by an assignment / loop / `as` target (tuples, lists, stars, parens). */
  private bindTargets(node: SyntaxNode): void {
    switch (node.type) {
      case 'identifier':
        return this.bind(node);
      case 'pattern_list': case 'tuple_pattern': case 'list_pattern': case 'tuple': case 'list':
      case 'list_splat_pattern': case 'parenthesized_expression': case 'as_pattern_target':
      case 'list_splat': case 'expression_list':
        for (const child of node.children) this.bindTargets(child);
        return;
      default:
        // attribute / subscript targets bind no name
        return;
    }
  }

  private bindParameters(params: SyntaxNode): void {
    for (const p of params.children) {
      switch (p.type) {
        case 'identifier':
          this.bind(p);
          break;
        case 'default_parameter': case 'typed_default_parameter': {
          const name = fieldChild(p, 'name');
          if (name) this.bindTargets(name);
          break;
        }
        case 'typed_parameter': case 'list_splat_pattern': case 'dictionary_splat_pattern': {
          const name = p.children.find((c) => c.type === 'identifier');
          if (name) this.bind(name);
          break;
        }
        case 'tuple_pattern':
          this.bindTargets(p);
          break;
      }
    }
  }

  // ---- expressions ----

  private site(node: SyntaxNode, ctx: Context): void {
    this.pushSite(this.expr(node), ctx, undefined);
  }

  private pushSite(expr: ExprIR, ctx: Context, target: ExprSite['target']): void {
    if (this.calls === 0) return; // no call inside: nothing to report from here
    this.calls = 0;
    const site: ExprSite = { expr, inInit: ctx.inInit, scope: ctx.scope };
    if (target) site.target = target;
    if (ctx.classIndex !== undefined) site.classIndex = ctx.classIndex;
    this.summary.sites.push(site);
  }

  private opaque(node: SyntaxNode, reason: string): ExprIR {
    return { k: 'opaque', reason, span: this.span(node) };
  }

  /** Converts an expression. Nested calls anywhere are kept (inside `opaque.inner`) so none is missed. */
  private expr(node: SyntaxNode): ExprIR {
    const span = this.span(node);
    if (node.start === node.end) return this.opaque(node, 'missing in the source');
    switch (node.type) {
      case 'integer': {
        const r = parseIntegerLiteral(this.text(node));
        return r.ok ? { k: 'int', value: r.value, span } : this.opaque(node, r.reason);
      }
      case 'float': {
        const r = parseFloatLiteral(this.text(node));
        return r.ok ? { k: 'float', value: r.value, span } : this.opaque(node, r.reason);
      }
      case 'string': {
        const r = decodeStringLiteral(this.text(node));
        return r.ok ? { k: 'str', value: r.value, span } : this.withInner(node, r.reason);
      }
      case 'concatenated_string': {
        let value = '';
        for (const part of node.children) {
          if (part.type !== 'string') continue;
          const r = decodeStringLiteral(this.text(part));
          if (!r.ok) return this.withInner(node, r.reason);
          value += r.value;
        }
        return { k: 'str', value, span };
      }
      case 'true': return { k: 'bool', value: true, span };
      case 'false': return { k: 'bool', value: false, span };
      case 'none': return { k: 'none', span };
      case 'identifier': return { k: 'name', name: this.text(node), span };
      case 'parenthesized_expression': {
        const inner = node.children.filter((c) => c.named);
        if (inner.length === 1) return { ...this.expr(inner[0]!), span };
        return this.withInner(node, 'not a simple expression');
      }
      case 'unary_operator': {
        const op = fieldChild(node, 'operator');
        const arg = fieldChild(node, 'argument');
        if (!arg) return this.opaque(node, 'incomplete expression');
        const argExpr = this.expr(arg);
        const opText = op ? this.text(op) : '';
        if (opText === '-' || opText === '+') return { k: 'unary', op: opText, arg: argExpr, span };
        return { k: 'opaque', reason: `operator ${opText} is not evaluated`, span, inner: [argExpr] };
      }
      case 'binary_operator': {
        const left = fieldChild(node, 'left');
        const right = fieldChild(node, 'right');
        const op = fieldChild(node, 'operator');
        if (!left || !right || !op) return this.opaque(node, 'incomplete expression');
        const l = this.expr(left);
        const r = this.expr(right);
        const opText = this.text(op);
        if (BINARY_OPS.has(opText)) return { k: 'binary', op: opText as BinaryOp, left: l, right: r, span };
        return { k: 'opaque', reason: `operator ${opText} is not evaluated`, span, inner: [l, r] };
      }
      case 'list': case 'tuple': case 'set':
        return { k: 'list', items: node.children.filter((c) => c.named).map((c) => this.expr(c)), span };
      case 'list_splat': {
        const arg = node.children.find((c) => c.named);
        return arg ? { k: 'splat', arg: this.expr(arg), span } : this.opaque(node, 'incomplete expression');
      }
      case 'dictionary': {
        const entries: { key: ExprIR; value: ExprIR }[] = [];
        let splat = false;
        const inner: ExprIR[] = [];
        for (const child of node.children) {
          if (child.type === 'pair') {
            const key = fieldChild(child, 'key');
            const value = fieldChild(child, 'value');
            if (key && value) entries.push({ key: this.expr(key), value: this.expr(value) });
          } else if (child.named) {
            splat = true;
            inner.push(this.expr(child));
          }
        }
        if (splat) return { k: 'opaque', reason: '`**` inside a dict display is not evaluated', span, inner: [...inner, ...entries.map((e) => e.value)] };
        return { k: 'dict', entries, span };
      }
      case 'call':
        return this.call(node);
      case 'list_comprehension': case 'generator_expression': case 'set_comprehension':
        return this.comprehension(node);
      case 'named_expression': {
        const name = fieldChild(node, 'name');
        if (name) this.bind(name);
        const value = fieldChild(node, 'value');
        return value ? this.expr(value) : this.opaque(node, 'incomplete expression');
      }
      case 'lambda': {
        const params = fieldChild(node, 'parameters');
        if (params) this.bindParameters(params);
        return this.withInner(node, 'lambdas are not evaluated');
      }
      case 'attribute':
        return this.withInner(node, 'attribute access is not evaluated');
      default:
        if (node.pruned) return this.opaque(node, 'not evaluated');
        return this.withInner(node, `${node.type.replace(/_/g, ' ')} is not evaluated`);
    }
  }

  /** Opaque, but keeps the sub-expressions so calls inside are still found. */
  private withInner(node: SyntaxNode, reason: string): ExprIR {
    const inner: ExprIR[] = [];
    for (const child of node.children) {
      if (!child.named) continue;
      if (child.type === 'for_in_clause') {
        const left = fieldChild(child, 'left');
        if (left) this.bindTargets(left);
        const right = fieldChild(child, 'right');
        if (right) inner.push(this.expr(right));
      } else if (child.type === 'keyword_argument') {
        const value = fieldChild(child, 'value');
        if (value) inner.push(this.expr(value));
      } else if (child.type !== 'identifier' && child.type !== 'string_start' && child.type !== 'string_content' && child.type !== 'string_end') {
        inner.push(this.expr(child));
      }
    }
    return inner.length > 0 ? { k: 'opaque', reason, span: this.span(node), inner } : this.opaque(node, reason);
  }

  private comprehension(node: SyntaxNode): ExprIR {
    const body = fieldChild(node, 'body');
    const clauses: { iter: ExprIR }[] = [];
    let hasCondition = false;
    for (const child of node.children) {
      if (child.type === 'for_in_clause') {
        const left = fieldChild(child, 'left');
        if (left) this.bindTargets(left);
        const right = fieldChild(child, 'right');
        clauses.push({ iter: right ? this.expr(right) : this.opaque(child, 'incomplete comprehension') });
      } else if (child.type === 'if_clause') {
        hasCondition = true;
      }
    }
    const element = body ? this.expr(body) : this.opaque(node, 'incomplete comprehension');
    return { k: 'comprehension', element, clauses, hasCondition, span: this.span(node) };
  }

  private call(node: SyntaxNode): ExprIR {
    this.calls++;
    const fn = fieldChild(node, 'function');
    const args = fieldChild(node, 'arguments');
    const call: CallIR = {
      callee: fn && (fn.type === 'identifier' || fn.type === 'attribute') ? this.dotted(fn) : null,
      calleeSpan: fn ? this.span(fn) : this.span(node),
      positional: [],
      keywords: [],
      hasKeywordSplat: false,
      span: this.span(node),
    };
    if (fn && call.callee === null) call.calleeExpr = this.expr(fn);
    if (args?.type === 'generator_expression') {
      call.positional.push(this.expr(args));
    } else if (args) {
      for (const arg of args.children) {
        if (!arg.named) continue;
        if (arg.type === 'keyword_argument') {
          const name = fieldChild(arg, 'name');
          const value = fieldChild(arg, 'value');
          if (name && value) call.keywords.push({ name: this.text(name), value: this.expr(value), span: this.span(arg) } satisfies KeywordIR);
        } else if (arg.type === 'dictionary_splat') {
          call.hasKeywordSplat = true;
        } else {
          call.positional.push(this.expr(arg));
        }
      }
    }
    return { k: 'call', call, span: call.span };
  }

  /** `nn.Linear` → ['nn', 'Linear']; null unless it is a chain of plain names. */
  private dotted(node: SyntaxNode): string[] | null {
    if (node.type === 'identifier') return node.end > node.start ? [this.text(node)] : null;
    if (node.type !== 'attribute') return null;
    const object = fieldChild(node, 'object');
    const attribute = fieldChild(node, 'attribute');
    if (!object || !attribute || attribute.end === attribute.start) return null;
    const head = this.dotted(object);
    return head ? [...head, this.text(attribute)] : null;
  }
}
