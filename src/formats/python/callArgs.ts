/**
 * Finding one parameter of a call (positional or keyword, as Python binds them) and turning its
 * evaluated value into the type the library expects.
 */
import { describe, isUnres, type EvalResult, type Val } from './evaluate';
import type { CallIR, ExprIR, Span } from './ir';

export type ArgLookup =
  | { state: 'present'; expr: ExprIR; span: Span }
  /** Cannot tell: a `*args` before this position or a `**kwargs` in the call. */
  | { state: 'hidden'; reason: string }
  | { state: 'absent' };

/** Python's binding of parameter `name` at `index` (use -1 for keyword-only parameters). */
export function findArg(call: CallIR, index: number, name: string): ArgLookup {
  const keyword = call.keywords.find((k) => k.name === name);
  if (keyword) return { state: 'present', expr: keyword.value, span: keyword.span };
  if (index >= 0) {
    for (let i = 0; i < call.positional.length && i <= index; i++) {
      const arg = call.positional[i]!;
      if (arg.k === 'splat') return { state: 'hidden', reason: `${name} may be passed through *args` };
      if (i === index) return { state: 'present', expr: arg, span: arg.span };
    }
  }
  if (call.hasKeywordSplat) return { state: 'hidden', reason: `${name} may be passed through **kwargs` };
  return { state: 'absent' };
}

/** A conversion from an evaluated value to T, or a reason. */
export type Coerce<T> = (v: Val) => { ok: true; value: T } | { ok: false; reason: string };

const fail = (reason: string) => ({ ok: false as const, reason });
const ok = <T>(value: T) => ({ ok: true as const, value });

export const asInt: Coerce<number> = (v) => (v.t === 'int' ? ok(v.v) : fail(`expected an int, got ${describe(v)}`));

export const asNumber: Coerce<number> = (v) =>
  v.t === 'int' || v.t === 'float' ? ok(v.v) : fail(`expected a number, got ${describe(v)}`);

export const asBool: Coerce<boolean> = (v) => (v.t === 'bool' ? ok(v.v) : fail(`expected a bool, got ${describe(v)}`));

export const asIntOrNone: Coerce<number | null> = (v) => (v.t === 'none' ? ok(null) : asInt(v));

export const asString: Coerce<string> = (v) => (v.t === 'str' ? ok(v.v) : fail(`expected a string, got ${describe(v)}`));

export const asStringList: Coerce<string[]> = (v) => {
  if (v.t !== 'list') return fail(`expected a list of strings, got ${describe(v)}`);
  const out: string[] = [];
  for (const item of v.items) {
    if (item.t !== 'str') return fail(`expected a list of strings, found ${describe(item)}`);
    out.push(item.v);
  }
  return ok(out);
};

export const asIntList: Coerce<number[]> = (v) => {
  if (v.t !== 'list') return fail(`expected a list of ints, got ${describe(v)}`);
  const out: number[] = [];
  for (const item of v.items) {
    if (item.t !== 'int') return fail(`expected a list of ints, found ${describe(item)}`);
    out.push(item.v);
  }
  return ok(out);
};

/** dict[str, number] as entries; `intsOnly` for ranks. */
export function asPatternDict(intsOnly: boolean): Coerce<[string, number][]> {
  return (v) => {
    if (v.t !== 'dict') return fail(`expected a dict, got ${describe(v)}`);
    const out: [string, number][] = [];
    for (const [k, x] of v.entries) {
      if (k.t !== 'str') return fail(`expected string keys, found ${describe(k)}`);
      const n = intsOnly ? asInt(x) : asNumber(x);
      if (!n.ok) return fail(`${JSON.stringify(k.v)}: ${n.reason}`);
      out.push([k.v, n.value]);
    }
    return ok(out);
  };
}

export function either<A, B>(a: Coerce<A>, b: Coerce<B>, what: string): Coerce<A | B> {
  return (v) => {
    const ra = a(v);
    if (ra.ok) return ra;
    const rb = b(v);
    return rb.ok ? rb : fail(`expected ${what}, got ${describe(v)}`);
  };
}

export function orNone<T>(c: Coerce<T>): Coerce<T | null> {
  return (v) => (v.t === 'none' ? ok(null) : c(v));
}

/** Applies a coercion to an evaluation result. */
export function coerce<T>(r: EvalResult, c: Coerce<T>): { ok: true; value: T } | { ok: false; reason: string } {
  if (isUnres(r)) return fail(r.reason);
  return c(r);
}
