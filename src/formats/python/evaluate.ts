/**
 * Evaluates the small subset of Python the reader trusts: literals, lists/tuples/sets, dicts,
 * unary +/-, arithmetic (+ - * / // % **) with Python's int/float rules, string concatenation,
 * and names that are module-level constants. Anything else is `Unres` with a reason.
 */
import type { ExprIR } from './ir';
import type { PyValue } from './types';

export type Val =
  | { t: 'int'; v: number }
  | { t: 'float'; v: number }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'none' }
  | { t: 'list'; items: Val[] }
  | { t: 'dict'; entries: [Val, Val][] };

export interface Unres {
  unres: true;
  reason: string;
}

export type EvalResult = Val | Unres;

export function isUnres(r: EvalResult): r is Unres {
  return 'unres' in r;
}

/** Looks a bare name up: a constant's value or the reason it is not one. */
export type NameLookup = (name: string) => EvalResult;

const unres = (reason: string): Unres => ({ unres: true, reason });

export function evaluate(expr: ExprIR, lookup: NameLookup): EvalResult {
  switch (expr.k) {
    case 'int': return { t: 'int', v: expr.value };
    case 'float': return { t: 'float', v: expr.value };
    case 'str': return { t: 'str', v: expr.value };
    case 'bool': return { t: 'bool', v: expr.value };
    case 'none': return { t: 'none' };
    case 'name': return lookup(expr.name);
    case 'unary': {
      const a = evaluate(expr.arg, lookup);
      if (isUnres(a)) return a;
      if (a.t !== 'int' && a.t !== 'float') return unres(`unary ${expr.op} applies to numbers only here`);
      return expr.op === '-' ? { t: a.t, v: a.v === 0 ? 0 : -a.v } : a;
    }
    case 'binary': {
      const l = evaluate(expr.left, lookup);
      if (isUnres(l)) return l;
      const r = evaluate(expr.right, lookup);
      if (isUnres(r)) return r;
      return binary(expr.op, l, r);
    }
    case 'list': {
      const items: Val[] = [];
      for (const item of expr.items) {
        if (item.k === 'splat') return unres('`*` unpacking is not evaluated');
        const v = evaluate(item, lookup);
        if (isUnres(v)) return v;
        items.push(v);
      }
      return { t: 'list', items };
    }
    case 'dict': {
      const entries: [Val, Val][] = [];
      for (const entry of expr.entries) {
        const key = evaluate(entry.key, lookup);
        if (isUnres(key)) return key;
        if (key.t === 'list' || key.t === 'dict') return unres('unhashable dict key');
        const value = evaluate(entry.value, lookup);
        if (isUnres(value)) return value;
        // Python keeps the first position and the last value of a repeated key.
        const at = entries.findIndex(([k]) => sameKey(k, key));
        if (at >= 0) entries[at]![1] = value;
        else entries.push([key, value]);
      }
      return { t: 'dict', entries };
    }
    case 'call': return unres('calls are not evaluated');
    case 'comprehension': return unres('comprehensions are not evaluated');
    case 'splat': return unres('`*` unpacking is not evaluated');
    case 'opaque': return unres(expr.reason);
  }
}

function sameKey(a: Val, b: Val): boolean {
  // 1 == 1.0 == True hash alike in Python.
  const num = (x: Val): number | undefined => (x.t === 'int' || x.t === 'float' ? x.v : x.t === 'bool' ? Number(x.v) : undefined);
  const na = num(a);
  const nb = num(b);
  if (na !== undefined || nb !== undefined) return na === nb;
  if (a.t === 'str' && b.t === 'str') return a.v === b.v;
  return a.t === 'none' && b.t === 'none';
}

function binary(op: string, l: Val, r: Val): EvalResult {
  if (op === '+' && l.t === 'str' && r.t === 'str') return { t: 'str', v: l.v + r.v };
  if (op === '+' && l.t === 'list' && r.t === 'list') return { t: 'list', items: [...l.items, ...r.items] };
  // Booleans are ints in Python, but arithmetic on them is almost always a bug: do not evaluate.
  if ((l.t !== 'int' && l.t !== 'float') || (r.t !== 'int' && r.t !== 'float')) {
    return unres(`${op} is evaluated for numbers only (and + for strings)`);
  }
  const ints = l.t === 'int' && r.t === 'int';
  const a = l.v;
  const b = r.v;
  let value: number;
  let isInt = ints;
  switch (op) {
    case '+': value = a + b; break;
    case '-': value = a - b; break;
    case '*': value = a * b; break;
    case '/':
      if (b === 0) return unres('division by zero');
      value = a / b;
      isInt = false;
      break;
    case '//':
      if (b === 0) return unres('division by zero');
      value = Math.floor(a / b);
      break;
    case '%':
      if (b === 0) return unres('division by zero');
      value = a - b * Math.floor(a / b); // sign of the divisor, as in Python
      break;
    case '**':
      if (ints && b < 0) isInt = false;
      if (a === 0 && b < 0) return unres('division by zero');
      value = a ** b;
      break;
    default:
      return unres(`operator ${op} is not evaluated`);
  }
  if (isInt && !Number.isSafeInteger(value)) return unres('integer result too large to represent exactly');
  if (!Number.isFinite(value) || Number.isNaN(value)) return unres('result is not a finite number');
  return isInt ? { t: 'int', v: value } : { t: 'float', v: value };
}

/** A value as JSON carries it (ints and floats both become numbers). */
export function toPyValue(v: Val): PyValue {
  switch (v.t) {
    case 'int': case 'float': case 'str': case 'bool': return v.v;
    case 'none': return null;
    case 'list': return v.items.map(toPyValue);
    case 'dict': return { dict: v.entries.map(([k, x]) => [toPyValue(k), toPyValue(x)] as [PyValue, PyValue]) };
  }
}

/** Short type name for messages. */
export function describe(v: Val): string {
  switch (v.t) {
    case 'int': return 'an int';
    case 'float': return 'a float';
    case 'str': return 'a string';
    case 'bool': return 'a bool';
    case 'none': return 'None';
    case 'list': return 'a list';
    case 'dict': return 'a dict';
  }
}
