/**
 * Turns the statement summaries of one document into `PythonFindings`: recognises the PyTorch and
 * PEFT calls, resolves their arguments through the file's constants, assembles stacks and places
 * everything at exact source ranges. Pure JavaScript; runs on every analysis.
 */
import {
  asBool, asInt, asIntList, asIntOrNone, asNumber, asPatternDict, asString, asStringList, coerce,
  either, findArg, orNone, type Coerce,
} from './callArgs';
import { evaluate, isUnres, toPyValue } from './evaluate';
import type { EvalResult } from './evaluate';
import type { CallIR, ExprIR, ExprSite, Span, StatementSummary } from './ir';
import type { LineTable } from './positions';
import { NameResolver } from './resolver';
import { FindingsCache, rebaseOutput, sameEval, type Dependency, type StatementOutput } from './findingsCache';
import { ACTIVATION_NAMES } from './syntax';
import type {
  ArgumentFinding, AttentionFinding, ConstantFinding, LinearFinding, LoraConfigFinding, LoraField,
  PythonFindings, Resolved, SourceRange, StackFinding, StackKind, StackLayer, TransformerLayerFinding,
  Unresolved, WidthMismatch,
} from './types';

export interface PlacedStatement {
  summary: StatementSummary;
  /** Absolute UTF-16 offset where the statement starts. */
  base: number;
}

const ACTIVATIONS = new Set(ACTIVATION_NAMES);

type CallKind =
  | 'linear' | 'sequential' | 'moduleList' | 'activation' | 'module' | 'lora'
  | 'multiheadAttention' | 'transformerEncoderLayer' | 'transformerDecoderLayer'
  | 'transformerEncoder' | 'transformerDecoder' | 'transformer' | 'other';

const TORCH_NN_KINDS: Record<string, CallKind> = {
  Linear: 'linear',
  Sequential: 'sequential',
  ModuleList: 'moduleList',
  MultiheadAttention: 'multiheadAttention',
  TransformerEncoderLayer: 'transformerEncoderLayer',
  TransformerDecoderLayer: 'transformerDecoderLayer',
  TransformerEncoder: 'transformerEncoder',
  TransformerDecoder: 'transformerDecoder',
  Transformer: 'transformer',
};

/** Where a visited expression sits. */
interface Place {
  stmt: number;
  base: number;
  site: ExprSite;
  /** Module path prefix for layers found here ('' = relative to an unnamed container). */
  path: string | undefined;
}

/**
 * `cache` (one per document) makes repeated calls incremental: a statement whose summary object is
 * unchanged and whose file-wide inputs (constants, imports, earlier module classes and layers) read
 * the same as last time reuses its findings, moved by the statement's line/column shift.
 * The result is the same as without a cache.
 */
export function buildFindings(
  statements: readonly PlacedStatement[],
  source: string,
  lines: LineTable,
  cache?: FindingsCache,
): Omit<PythonFindings, 'syntaxErrors'> {
  return new FindingsBuilder(statements, source, lines, cache).build();
}

export { FindingsCache } from './findingsCache';

class FindingsBuilder {
  readonly resolver: NameResolver;
  private readonly linears: LinearFinding[] = [];
  private readonly stacks: StackFinding[] = [];
  private readonly attention: AttentionFinding[] = [];
  private readonly loraConfigs: LoraConfigFinding[] = [];
  /** Transformer layer findings by the name they were last assigned to, per scope. */
  private readonly layerByName = new Map<string, TransformerLayerFinding>();
  private readonly layerByCall = new Map<CallIR, TransformerLayerFinding>();
  private readonly kinds = new Map<CallIR, { kind: CallKind; name: string }>();
  /** Class names known to be nn.Module subclasses. */
  private readonly moduleClasses = new Set<string>();
  /** What the statement being visited produces and reads from outside itself. */
  private out: StatementOutput | undefined;
  /** Keys of the dependencies `out` already records. */
  private readonly asked = new Set<string>();

  /** False when the resolver is the previous build's: every name resolves as it did then. */
  private readonly namesChanged: boolean;

  constructor(
    private readonly statements: readonly PlacedStatement[],
    private readonly source: string,
    private readonly lines: LineTable,
    private readonly cache: FindingsCache | undefined,
  ) {
    if (cache) ({ resolver: this.resolver, namesChanged: this.namesChanged } = cache.resolverFor(statements));
    else {
      this.resolver = new NameResolver(statements);
      this.namesChanged = true;
    }
  }

  build(): Omit<PythonFindings, 'syntaxErrors'> {
    this.statements.forEach((stmt, index) => {
      const start = this.lines.position(stmt.base);
      const cached = this.cache?.get(stmt.summary);
      let out = cached && this.dependenciesHold(cached.deps) ? rebaseOutput(cached, start) : undefined;
      if (!out) {
        out = { start, deps: [], linears: [], stacks: [], attention: [], loraConfigs: [], moduleClasses: [], layerWrites: new Map() };
        this.out = out;
        this.asked.clear();
        this.statement(stmt, index);
        this.out = undefined;
      } else {
        for (const name of out.moduleClasses) this.moduleClasses.add(name);
        for (const [key, finding] of out.layerWrites) {
          if (finding) this.layerByName.set(key, finding);
          else this.layerByName.delete(key);
        }
      }
      this.cache?.set(stmt.summary, out);
      this.linears.push(...out.linears);
      this.stacks.push(...out.stacks);
      this.attention.push(...out.attention);
      this.loraConfigs.push(...out.loraConfigs);
    });
    this.cache?.keepOnly(this.statements.map((s) => s.summary));
    const byStart = (a: { range: SourceRange }, b: { range: SourceRange }) =>
      a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
    return {
      linears: this.linears.sort(byStart),
      stacks: this.stacks.sort(byStart),
      attention: this.attention.sort(byStart),
      loraConfigs: this.loraConfigs.sort(byStart),
      constants: this.constants().sort(byStart),
    };
  }

  // ---- statements, sites and classes ----

  private statement(stmt: PlacedStatement, index: number): void {
    const { summary, base } = stmt;
    const siteLayers: StackLayer[][] = [];
    for (const site of summary.sites) {
      const path = site.target?.kind === 'self' ? site.target.name : site.target ? '' : undefined;
      const place: Place = { stmt: index, base, site, path };
      const layers = this.visit(site.expr, place, true);
      siteLayers.push(layers);
      if (site.target) this.rememberLayer(site, index, site.expr);
    }
    summary.classes.forEach((cls, classIndex) => {
      const isModule = cls.bases.some((parts) => {
        if (!parts) return false;
        if (parts.length === 1 && this.isModuleClass(parts[0]!)) return true;
        return normalise(this.canonical(parts)) === 'torch.nn.Module';
      });
      if (!isModule) return;
      this.moduleClasses.add(cls.name);
      this.out!.moduleClasses.push(cls.name);
      const layers: StackLayer[] = [];
      summary.sites.forEach((site, i) => {
        if (site.classIndex === classIndex && site.inInit && site.target?.kind === 'self') layers.push(...siteLayers[i]!);
      });
      if (!hasLinear(layers)) return;
      this.out!.stacks.push(this.stack('moduleClass', this.range(cls.span, base), layers, cls.name, this.range(cls.nameSpan, base)));
    });
  }

  private scopeKey(stmt: number, site: ExprSite, name: string, self: boolean): string {
    if (self) return `${stmt}:class${site.classIndex ?? -1}:self.${name}`;
    return site.scope === 0 ? `module:${name}` : `${stmt}:${site.scope}:${name}`;
  }

  /** Links `layer = nn.TransformerEncoderLayer(…)` to a later `nn.TransformerEncoder(layer, …)`. */
  private rememberLayer(site: ExprSite, stmt: number, expr: ExprIR): void {
    const target = site.target!;
    const key = this.scopeKey(stmt, site, target.name, target.kind === 'self');
    const finding = expr.k === 'call' ? this.layerByCall.get(expr.call) : undefined;
    if (finding) this.layerByName.set(key, finding);
    else this.layerByName.delete(key);
    if (key.startsWith('module:')) this.out!.layerWrites.set(key, finding);
  }

  // ---- expressions ----

  /**
   * Visits an expression in source order, reporting every recognised call inside it, and returns
   * the layers it stands for when used as a module (empty when it is not a known module).
   */
  private visit(expr: ExprIR, place: Place, top = false): StackLayer[] {
    switch (expr.k) {
      case 'call':
        return this.call(expr.call, place, top);
      case 'unary': this.visit(expr.arg, this.noPath(place)); return [];
      case 'binary': this.visit(expr.left, this.noPath(place)); this.visit(expr.right, this.noPath(place)); return [];
      case 'list': for (const item of expr.items) this.visit(item, this.noPath(place)); return [];
      case 'dict': for (const e of expr.entries) { this.visit(e.key, this.noPath(place)); this.visit(e.value, this.noPath(place)); } return [];
      case 'comprehension':
        for (const c of expr.clauses) this.visit(c.iter, this.noPath(place));
        this.visit(expr.element, this.noPath(place));
        return [];
      case 'splat': this.visit(expr.arg, this.noPath(place)); return [];
      case 'opaque': for (const e of expr.inner ?? []) this.visit(e, this.noPath(place)); return [];
      default: return [];
    }
  }

  private noPath(place: Place): Place {
    return place.path === undefined ? place : { ...place, path: undefined };
  }

  private withPath(place: Place, segment: string): Place {
    const path = place.path ? `${place.path}.${segment}` : segment;
    return { ...place, path };
  }

  private classify(call: CallIR): { kind: CallKind; name: string } {
    let known = this.kinds.get(call);
    if (known) return known;
    known = { kind: 'other', name: '' };
    const canonical = call.callee ? normalise(this.canonical(call.callee)) : null;
    if (canonical?.startsWith('torch.nn.') && !canonical.slice('torch.nn.'.length).includes('.')) {
      const name = canonical.slice('torch.nn.'.length);
      const kind = TORCH_NN_KINDS[name] ?? (ACTIVATIONS.has(name) ? 'activation' : /^[A-Z]/.test(name) ? 'module' : 'other');
      known = { kind, name };
    } else if (canonical && /^peft(\.\w+)*\.LoraConfig$/.test(canonical)) {
      known = { kind: 'lora', name: 'LoraConfig' };
    }
    this.kinds.set(call, known);
    return known;
  }

  private call(call: CallIR, place: Place, top: boolean): StackLayer[] {
    const { kind, name } = this.classify(call);
    switch (kind) {
      case 'linear':
        return [{ kind: 'linear', linear: this.linear(call, place) }];
      case 'sequential':
      case 'moduleList':
        return this.container(call, kind, place, top);
      case 'activation':
        this.visitArgs(call, place);
        return [{ kind: 'activation', name, range: this.range(call.span, place.base) }];
      case 'module':
        this.visitArgs(call, place);
        return [{ kind: 'module', name, range: this.range(call.span, place.base) }];
      case 'lora':
        this.visitArgs(call, place);
        this.out!.loraConfigs.push(this.lora(call, place));
        return [];
      case 'multiheadAttention': case 'transformerEncoderLayer': case 'transformerDecoderLayer':
      case 'transformerEncoder': case 'transformerDecoder': case 'transformer':
        this.visitArgs(call, place);
        this.out!.attention.push(this.attentionFinding(call, kind, place));
        return [{ kind: 'module', name, range: this.range(call.span, place.base) }];
      case 'other':
        if (call.calleeExpr) this.visit(call.calleeExpr, this.noPath(place));
        this.visitArgs(call, place);
        return [];
    }
  }

  private visitArgs(call: CallIR, place: Place): void {
    const p = this.noPath(place);
    for (const arg of call.positional) this.visit(arg, p);
    for (const kw of call.keywords) this.visit(kw.value, p);
  }

  // ---- Linear ----

  private linear(call: CallIR, place: Place): LinearFinding {
    this.visitArgs(call, place);
    const inF = this.argument(call, place, 0, 'in_features', asInt);
    const outF = this.argument(call, place, 1, 'out_features', asInt);
    const bias = this.argument(call, place, 2, 'bias', asBool, true);
    const finding: LinearFinding = {
      range: this.range(call.span, place.base),
      callee: this.text(call.calleeSpan, place.base),
      inFeatures: inF.value,
      outFeatures: outF.value,
      bias: bias.value,
      argumentRanges: {},
    };
    if (inF.range) finding.argumentRanges.inFeatures = inF.range;
    if (outF.range) finding.argumentRanges.outFeatures = outF.range;
    if (bias.range) finding.argumentRanges.bias = bias.range;
    if (place.path) finding.modulePath = place.path;
    this.out!.linears.push(finding);
    return finding;
  }

  // ---- Sequential / ModuleList ----

  private container(call: CallIR, kind: 'sequential' | 'moduleList', place: Place, top: boolean): StackLayer[] {
    const layers: StackLayer[] = [];
    let index: number | undefined = 0; // child name; unknown after a splat of unknown length
    const entries = kind === 'sequential' ? call.positional : call.positional.slice(0, 1);
    const spread = (items: ExprIR[]) => {
      for (const item of items) {
        const segment = index === undefined ? '*' : String(index);
        layers.push(...this.entry(item, this.withPath(place, segment)));
        if (index !== undefined) index++;
      }
    };
    for (const arg of entries) {
      if (kind === 'moduleList' || arg.k === 'splat') {
        const inner = kind === 'moduleList' ? arg : (arg as Extract<ExprIR, { k: 'splat' }>).arg;
        if (inner.k === 'list') spread(inner.items);
        else if (inner.k === 'comprehension') {
          layers.push(this.repeat(inner, this.withPath(place, '*')));
          index = undefined;
        } else {
          this.visit(inner, this.noPath(place));
          layers.push({ kind: 'unknown', source: this.text(arg.span, place.base), range: this.range(arg.span, place.base) });
          index = undefined;
        }
      } else if (arg.k === 'call' && this.isOrderedDict(arg.call)) {
        layers.push(...this.orderedDict(arg.call, place));
      } else {
        spread([arg]);
      }
    }
    for (const kw of call.keywords) this.visit(kw.value, this.noPath(place));
    if (!hasLinear(layers)) return layers;
    const target = top ? place.site.target : undefined;
    const name = target ? (target.kind === 'self' ? `self.${target.name}` : target.name) : undefined;
    this.out!.stacks.push(this.stack(kind, this.range(call.span, place.base), layers, name, target ? this.range(target.span, place.base) : undefined));
    return layers;
  }

  /** One argument of a container: its layers, or an `unknown` entry. */
  private entry(expr: ExprIR, place: Place): StackLayer[] {
    const layers = this.visit(expr, place);
    if (layers.length > 0) return layers;
    return [{ kind: 'unknown', source: this.text(expr.span, place.base), range: this.range(expr.span, place.base) }];
  }

  /** `[<layer> for _ in range(count)]`. */
  private repeat(comp: Extract<ExprIR, { k: 'comprehension' }>, place: Place): StackLayer {
    for (const clause of comp.clauses) this.visit(clause.iter, this.noPath(place));
    const layers = this.entry(comp.element, place);
    return { kind: 'repeat', count: this.repeatCount(comp, place.base), layers, range: this.range(comp.span, place.base) };
  }

  private repeatCount(comp: Extract<ExprIR, { k: 'comprehension' }>, base: number): Resolved<number> {
    const whole = (reason: string): Unresolved => ({ unresolved: this.text(comp.span, base), reason });
    if (comp.hasCondition) return whole('a filtered comprehension has a data-dependent length');
    if (comp.clauses.length !== 1) return whole('only one `for … in range(…)` clause is counted');
    const iter = comp.clauses[0]!.iter;
    const call = iter.k === 'call' ? iter.call : undefined;
    if (!call || call.callee?.length !== 1 || call.callee[0] !== 'range' || !this.isBuiltin('range')) {
      return { unresolved: this.text(iter.span, base), reason: 'the loop is not over range(…)' };
    }
    if (call.keywords.length > 0 || call.hasKeywordSplat || call.positional.some((a) => a.k === 'splat') ||
        call.positional.length < 1 || call.positional.length > 3) {
      return { unresolved: this.text(iter.span, base), reason: 'unsupported range(…) arguments' };
    }
    const values: number[] = [];
    for (const arg of call.positional) {
      const r = coerce(evaluate(arg, this.lookup), asInt);
      if (!r.ok) return { unresolved: this.text(arg.span, base), reason: r.reason };
      values.push(r.value);
    }
    const [start, stop, step] = values.length === 1 ? [0, values[0]!, 1] : [values[0]!, values[1]!, values[2] ?? 1];
    if (step === 0) return { unresolved: this.text(iter.span, base), reason: 'range() step is zero' };
    return Math.max(0, Math.ceil((stop - start) / step));
  }

  private isOrderedDict(call: CallIR): boolean {
    if (!call.callee) return false;
    const last = call.callee[call.callee.length - 1];
    return last === 'OrderedDict' && call.positional.length === 1 && call.positional[0]!.k === 'list';
  }

  /** `nn.Sequential(OrderedDict([('fc1', nn.Linear(…)), ('act', nn.ReLU())]))`. */
  private orderedDict(call: CallIR, place: Place): StackLayer[] {
    const list = call.positional[0] as Extract<ExprIR, { k: 'list' }>;
    const layers: StackLayer[] = [];
    for (const item of list.items) {
      if (item.k === 'list' && item.items.length === 2 && item.items[0]!.k === 'str') {
        layers.push(...this.entry(item.items[1]!, this.withPath(place, item.items[0]!.value)));
      } else {
        this.visit(item, this.noPath(place));
        layers.push({ kind: 'unknown', source: this.text(item.span, place.base), range: this.range(item.span, place.base) });
      }
    }
    return layers;
  }

  private stack(kind: StackKind, range: SourceRange, layers: StackLayer[], name?: string, nameRange?: SourceRange): StackFinding {
    const chain = expandLinears(layers);
    const widths: Resolved<number>[] = [];
    for (const linear of chain.linears) {
      if (widths.length === 0) widths.push(linear.inFeatures);
      widths.push(linear.outFeatures);
    }
    const mismatches: WidthMismatch[] = [];
    if (kind === 'sequential') {
      const seen = new Set<LinearFinding>();
      for (let i = 1; i < chain.linears.length; i++) {
        const prev = chain.linears[i - 1]!;
        const next = chain.linears[i]!;
        if (typeof prev.outFeatures === 'number' && typeof next.inFeatures === 'number' &&
            prev.outFeatures !== next.inFeatures && !seen.has(next)) {
          seen.add(next);
          mismatches.push({ range: next.range, previousOut: prev.outFeatures, nextIn: next.inFeatures });
        }
      }
    }
    const finding: StackFinding = { kind, range, layers, widths, depth: chain.depth, mismatches };
    if (name !== undefined) finding.name = name;
    if (nameRange) finding.nameRange = nameRange;
    return finding;
  }

  // ---- attention ----

  private attentionFinding(call: CallIR, kind: CallKind, place: Place): AttentionFinding {
    const range = this.range(call.span, place.base);
    const callee = this.text(call.calleeSpan, place.base);
    const int = (i: number, name: string, dflt?: number) => this.argument(call, place, i, name, asInt, dflt);
    switch (kind) {
      case 'multiheadAttention': {
        const embedDim = int(0, 'embed_dim');
        const numHeads = int(1, 'num_heads');
        return {
          kind, range, callee, embedDim, numHeads,
          bias: this.argument(call, place, 3, 'bias', asBool, true),
          kdim: this.argument(call, place, 6, 'kdim', asIntOrNone, null),
          vdim: this.argument(call, place, 7, 'vdim', asIntOrNone, null),
          headDim: headDim(embedDim.value, numHeads.value, 'embed_dim', 'num_heads'),
        };
      }
      case 'transformerEncoderLayer': case 'transformerDecoderLayer': {
        const dModel = int(0, 'd_model');
        const nhead = int(1, 'nhead');
        const finding: TransformerLayerFinding = {
          kind, range, callee, dModel, nhead,
          dimFeedforward: int(2, 'dim_feedforward', 2048),
          headDim: headDim(dModel.value, nhead.value, 'd_model', 'nhead'),
        };
        this.layerByCall.set(call, finding);
        return finding;
      }
      case 'transformerEncoder': case 'transformerDecoder': {
        const layerName = kind === 'transformerEncoder' ? 'encoder_layer' : 'decoder_layer';
        const arg = findArg(call, 0, layerName);
        const layer: { source: string; range?: SourceRange; finding?: TransformerLayerFinding } = { source: '' };
        if (arg.state === 'present') {
          layer.source = this.text(arg.expr.span, place.base);
          layer.range = this.range(arg.span, place.base);
          const found = this.linkedLayer(arg.expr, place);
          if (found) layer.finding = found;
        }
        return { kind, range, callee, layer, numLayers: int(1, 'num_layers') };
      }
      default: {
        const dModel = int(0, 'd_model', 512);
        const nhead = int(1, 'nhead', 8);
        return {
          kind: 'transformer', range, callee, dModel, nhead,
          numEncoderLayers: int(2, 'num_encoder_layers', 6),
          numDecoderLayers: int(3, 'num_decoder_layers', 6),
          dimFeedforward: int(4, 'dim_feedforward', 2048),
          headDim: headDim(dModel.value, nhead.value, 'd_model', 'nhead'),
        };
      }
    }
  }

  private linkedLayer(expr: ExprIR, place: Place): TransformerLayerFinding | undefined {
    if (expr.k === 'call') return this.layerByCall.get(expr.call);
    const { site, stmt } = place;
    if (expr.k === 'name') return this.layerNamed(this.scopeKey(stmt, site, expr.name, false));
    const text = this.text(expr.span, place.base).replace(/\s+/g, '');
    if (text.startsWith('self.') && /^self\.\w+$/.test(text)) {
      return this.layerNamed(this.scopeKey(stmt, site, text.slice(5), true));
    }
    return undefined;
  }

  // ---- LoraConfig ----

  private lora(call: CallIR, place: Place): LoraConfigFinding {
    const finding: LoraConfigFinding = {
      range: this.range(call.span, place.base),
      callee: this.text(call.calleeSpan, place.base),
      hasKeywordSplat: call.hasKeywordSplat,
    };
    const field = <T>(name: string, c: Coerce<T>): LoraField<T> | undefined => {
      const kw = call.keywords.find((k) => k.name === name);
      if (!kw) return undefined;
      return {
        value: this.resolve(kw.value, place.base, c),
        range: this.range(kw.span, place.base),
        valueRange: this.range(kw.value.span, place.base),
      };
    };
    const strings = either(asStringList, asString, 'a list of strings or a string');
    const assign = <K extends keyof LoraConfigFinding>(key: K, value: LoraConfigFinding[K] | undefined) => {
      if (value !== undefined) finding[key] = value;
    };
    assign('r', field('r', asInt));
    assign('loraAlpha', field('lora_alpha', asNumber));
    assign('loraDropout', field('lora_dropout', asNumber));
    assign('targetModules', field('target_modules', orNone(strings)));
    assign('excludeModules', field('exclude_modules', orNone(strings)));
    assign('rankPattern', field('rank_pattern', asPatternDict(true)));
    assign('alphaPattern', field('alpha_pattern', asPatternDict(false)));
    assign('layersToTransform', field('layers_to_transform', orNone(either(asInt, asIntList, 'an int or a list of ints'))));
    assign('layersPattern', field('layers_pattern', orNone(either(asString, asStringList, 'a string or a list of strings'))));
    assign('useRslora', field('use_rslora', asBool));
    assign('useDora', field('use_dora', asBool));
    return finding;
  }

  // ---- constants ----

  private constants(): ConstantFinding[] {
    const out: ConstantFinding[] = [];
    for (const { placed, value } of this.resolver.constants(this.statements)) {
      if (isUnres(value)) continue;
      out.push({
        name: placed.def.name,
        value: toPyValue(value),
        range: this.range(placed.def.nameSpan, placed.base),
        valueRange: this.range(placed.def.value.span, placed.base),
      });
    }
    return out;
  }

  // ---- reads from outside the statement, recorded so a cached statement can be checked ----

  private canonical(parts: readonly string[]): string | null {
    const value = this.resolver.canonical(parts);
    this.depend(`c:${parts.join('.')}`, { k: 'canonical', parts, value });
    return value;
  }

  private readonly lookup = (name: string): EvalResult => {
    const value = this.resolver.lookup(name);
    this.depend(`l:${name}`, { k: 'lookup', name, value });
    return value;
  };

  private isBuiltin(name: string): boolean {
    const value = this.resolver.isBuiltin(name);
    this.depend(`b:${name}`, { k: 'builtin', name, value });
    return value;
  }

  private isModuleClass(name: string): boolean {
    const value = this.moduleClasses.has(name);
    // A class of this same statement is not an outside input.
    if (!this.out!.moduleClasses.includes(name)) this.depend(`m:${name}`, { k: 'moduleClass', name, value });
    return value;
  }

  private layerNamed(key: string): TransformerLayerFinding | undefined {
    const value = this.layerByName.get(key);
    // Only module-level names cross statements; a name this statement wrote is its own.
    if (key.startsWith('module:') && !this.out!.layerWrites.has(key)) this.depend(`n:${key}`, { k: 'layer', key, value });
    return value;
  }

  /** Records a dependency once per statement (the answer cannot change within one build). */
  private depend(key: string, dep: Dependency): void {
    if (this.asked.has(key)) return;
    this.asked.add(key);
    this.out!.deps.push(dep);
  }

  /** True when every outside input of a cached statement reads the same now. */
  private dependenciesHold(deps: readonly Dependency[]): boolean {
    for (const d of deps) {
      if (!this.namesChanged && (d.k === 'canonical' || d.k === 'lookup' || d.k === 'builtin')) continue;
      switch (d.k) {
        case 'canonical': if (this.resolver.canonical(d.parts) !== d.value) return false; break;
        case 'lookup': if (!sameEval(this.resolver.lookup(d.name), d.value)) return false; break;
        case 'builtin': if (this.resolver.isBuiltin(d.name) !== d.value) return false; break;
        case 'moduleClass': if (this.moduleClasses.has(d.name) !== d.value) return false; break;
        // By identity: a layer finding from another statement that was rebuilt or moved is a new object.
        case 'layer': if (this.layerByName.get(d.key) !== d.value) return false; break;
      }
    }
    return true;
  }

  // ---- helpers ----

  /** One parameter of a call, resolved and typed; `dflt` is the library default when absent. */
  private argument<T>(call: CallIR, place: Place, index: number, name: string, c: Coerce<T>, dflt?: T): ArgumentFinding<T> {
    const arg = findArg(call, index, name);
    if (arg.state === 'present') {
      return { value: this.resolve(arg.expr, place.base, c), range: this.range(arg.span, place.base), isDefault: false };
    }
    if (arg.state === 'hidden') return { value: { unresolved: '', reason: arg.reason }, isDefault: false };
    if (dflt !== undefined) return { value: dflt, isDefault: true };
    return { value: { unresolved: '', reason: `${name} is missing` }, isDefault: false };
  }

  private resolve<T>(expr: ExprIR, base: number, c: Coerce<T>): Resolved<T> {
    const r = coerce(evaluate(expr, this.lookup), c);
    return r.ok ? r.value : { unresolved: this.text(expr.span, base), reason: r.reason };
  }

  private range(span: Span, base: number): SourceRange {
    return this.lines.range(base + span.start, base + span.end);
  }

  private text(span: Span, base: number): string {
    return this.source.slice(base + span.start, base + span.end);
  }
}

/** `torch.nn.modules.linear.Linear` → `torch.nn.Linear`. */
function normalise(canonical: string | null): string | null {
  return canonical === null ? null : canonical.replace(/^torch\.nn\.modules\.\w+\./, 'torch.nn.');
}

function hasLinear(layers: readonly StackLayer[]): boolean {
  return layers.some((l) => l.kind === 'linear' || (l.kind === 'repeat' && hasLinear(l.layers)));
}

/** Linear layers in forward order with repeats expanded (once, when the count is unresolved). */
function expandLinears(layers: readonly StackLayer[]): { linears: LinearFinding[]; depth: Resolved<number> } {
  const linears: LinearFinding[] = [];
  let unresolvedCount: Unresolved | undefined;
  const MAX_EXPANDED = 100_000; // a `range(10**9)` must not allocate a billion entries
  const walk = (list: readonly StackLayer[], times: number) => {
    for (let t = 0; t < times && linears.length < MAX_EXPANDED; t++) {
      for (const layer of list) {
        if (layer.kind === 'linear') linears.push(layer.linear);
        else if (layer.kind === 'repeat') {
          if (typeof layer.count === 'number') walk(layer.layers, layer.count);
          else {
            unresolvedCount ??= { unresolved: layer.count.unresolved, reason: `repeat count: ${layer.count.reason}` };
            walk(layer.layers, 1);
          }
        }
      }
    }
  };
  walk(layers, 1);
  const depth: Resolved<number> = unresolvedCount ?? (linears.length >= MAX_EXPANDED ? { unresolved: '', reason: 'too many layers to expand' } : linears.length);
  return { linears, depth };
}

function headDim(dim: Resolved<number>, heads: Resolved<number>, dimName: string, headsName: string): Resolved<number> {
  if (typeof dim !== 'number' || typeof heads !== 'number') {
    return { unresolved: '', reason: `${dimName} and ${headsName} must both resolve` };
  }
  if (heads <= 0 || dim % heads !== 0) return { unresolved: '', reason: `${dimName} ${dim} is not divisible by ${headsName} ${heads}` };
  return dim / heads;
}
