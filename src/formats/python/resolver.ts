/**
 * File-wide name knowledge built from all statement summaries: which local names are imports of
 * what, which names are module-level constants (assigned exactly once, at module level, and bound
 * nowhere else in the file), and their values.
 */
import { evaluate, isUnres, type EvalResult, type Unres } from './evaluate';
import type { ConstantDefIR, StatementSummary } from './ir';

/** Conventional names that mean these modules even without a visible import. */
const DEFAULT_ALIASES: Record<string, string> = {
  nn: 'torch.nn',
  torch: 'torch',
  peft: 'peft',
  LoraConfig: 'peft.LoraConfig',
};

export interface PlacedConstant {
  def: ConstantDefIR;
  /** Absolute offset of the owning statement. */
  base: number;
}

export class NameResolver {
  /** local name → imported target; null when imported twice with different targets. */
  private readonly aliases = new Map<string, string | null>();
  private readonly wildcards = new Set<string>();
  /** Names bound other than by a module-level simple assignment or an import. */
  private readonly bound = new Set<string>();
  private readonly defs = new Map<string, PlacedConstant[]>();
  private readonly memo = new Map<string, EvalResult>();
  private readonly evaluating = new Set<string>();
  /** By dotted name: every call site of `nn.Linear` asks the same question. */
  private readonly canonicalMemo = new Map<string, string | null>();

  constructor(statements: readonly { summary: StatementSummary; base: number }[]) {
    for (const { summary, base } of statements) {
      for (const imp of summary.imports) {
        const known = this.aliases.get(imp.local);
        this.aliases.set(imp.local, known === undefined || known === imp.target ? imp.target : null);
      }
      for (const w of summary.wildcardImports) this.wildcards.add(w);
      for (const name of summary.bindings) this.bound.add(name);
      for (const def of summary.constantDefs) {
        const list = this.defs.get(def.name);
        if (list) list.push({ def, base });
        else this.defs.set(def.name, [{ def, base }]);
      }
    }
  }

  /** Local names imported as one of `classNames` under another name (`Linear as L` gives `L`). */
  renamedImportsOf(classNames: readonly string[]): string[] {
    const out: string[] = [];
    for (const [local, target] of this.aliases) {
      if (target === null) continue;
      const last = target.slice(target.lastIndexOf('.') + 1);
      if (last !== local && classNames.includes(last)) out.push(local);
    }
    return out.sort();
  }

  /** `['nn', 'Linear']` → `torch.nn.Linear`; null when the head is unknown or rebound locally. */
  canonical(parts: readonly string[]): string | null {
    const key = parts.length === 1 ? parts[0]! : parts.join('.');
    let known = this.canonicalMemo.get(key);
    if (known === undefined) {
      known = this.computeCanonical(parts);
      this.canonicalMemo.set(key, known);
    }
    return known;
  }

  private computeCanonical(parts: readonly string[]): string | null {
    const head = parts[0]!;
    const rest = parts.slice(1);
    let target: string | null | undefined = this.aliases.get(head);
    if (target === undefined) {
      if (this.bound.has(head) || this.defs.has(head)) return null;
      target = DEFAULT_ALIASES[head];
      if (target === undefined && rest.length === 0) {
        for (const w of this.wildcards) if (w === 'torch.nn' || w === 'peft') return `${w}.${head}`;
      }
    }
    if (!target) return null;
    return [target, ...rest].join('.');
  }

  /** True when `name` still means the builtin (never bound or imported in this file). */
  isBuiltin(name: string): boolean {
    return !this.aliases.has(name) && !this.bound.has(name) && !this.defs.has(name);
  }

  /** The value of a bare name, or why it has none. */
  readonly lookup = (name: string): EvalResult => {
    const cached = this.memo.get(name);
    if (cached) return cached;
    const result = this.resolveName(name);
    this.memo.set(name, result);
    return result;
  };

  private resolveName(name: string): EvalResult {
    const defs = this.defs.get(name);
    const imported = this.aliases.has(name);
    if (!defs) {
      if (imported) return unres(`${name} is imported, not defined in this file`);
      if (this.bound.has(name)) return unres(`${name} is not a module-level constant`);
      return unres(`${name} is not defined at module level`);
    }
    if (defs.length > 1) return unres(`${name} is assigned ${defs.length} times`);
    if (this.bound.has(name)) return unres(`${name} is also bound inside a function, class, loop or pattern`);
    if (imported) return unres(`${name} is also imported`);
    if (this.evaluating.has(name)) return unres(`${name} refers to itself`);
    this.evaluating.add(name);
    const value = evaluate(defs[0]!.def.value, this.lookup);
    this.evaluating.delete(name);
    return isUnres(value) ? unres(`${name}: ${value.reason}`) : value;
  }

  /**
   * Every constant with its value (resolved or not), for the `constants` list. `statements`, when
   * given, places them (a resolver kept across edits that did not change any name knows only
   * where the constants were).
   */
  constants(statements?: readonly { summary: StatementSummary; base: number }[]): { placed: PlacedConstant; value: EvalResult }[] {
    const defs = statements ? defsOf(statements) : this.defs;
    const out: { placed: PlacedConstant; value: EvalResult }[] = [];
    for (const [name, list] of defs) {
      if (list.length !== 1) continue;
      out.push({ placed: list[0]!, value: this.lookup(name) });
    }
    return out;
  }
}

function defsOf(statements: readonly { summary: StatementSummary; base: number }[]): Map<string, PlacedConstant[]> {
  const defs = new Map<string, PlacedConstant[]>();
  for (const { summary, base } of statements) {
    for (const def of summary.constantDefs) {
      const list = defs.get(def.name);
      if (list) list.push({ def, base });
      else defs.set(def.name, [{ def, base }]);
    }
  }
  return defs;
}

/**
 * True when two statement summaries bind the same names the same way (imports, wildcard imports,
 * other bindings, module-level constants and their value expressions, positions aside): a file
 * whose statements differ only in such pairs resolves every name exactly as before.
 */
export function sameNames(a: StatementSummary, b: StatementSummary): boolean {
  if (a === b) return true;
  if (!sameList(a.bindings, b.bindings) || !sameList(a.wildcardImports, b.wildcardImports)) return false;
  if (a.imports.length !== b.imports.length || a.constantDefs.length !== b.constantDefs.length) return false;
  for (let i = 0; i < a.imports.length; i++) {
    if (a.imports[i]!.local !== b.imports[i]!.local || a.imports[i]!.target !== b.imports[i]!.target) return false;
  }
  for (let i = 0; i < a.constantDefs.length; i++) {
    if (a.constantDefs[i]!.name !== b.constantDefs[i]!.name || !sameShape(a.constantDefs[i]!.value, b.constantDefs[i]!.value)) return false;
  }
  return true;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Structural equality of plain data, ignoring `span` fields (positions do not change values). */
function sameShape(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((k) => k !== 'span' && k !== 'calleeSpan' && k !== 'nameSpan');
  const keysB = Object.keys(b).filter((k) => k !== 'span' && k !== 'calleeSpan' && k !== 'nameSpan');
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) {
    if (!sameShape((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function unres(reason: string): Unres {
  return { unres: true, reason };
}
