/**
 * The target depth for FNN hints in a Python file: a `# lora-lens: target-depth=N` comment, else
 * the `loraLens.targetDepth` setting, else ⌈L/2⌉. The first directive in the file applies to the
 * whole file.
 */
import { LineTable } from '../formats/python/positions';
import type { SourceRange } from './types';

export interface TargetDepthDirective {
  /** The depth, when the directive is a positive whole number. */
  value?: number;
  /** Why the directive is ignored, when it is. */
  error?: string;
  /** The comment from `#` to the end of the value. */
  range: SourceRange;
}

const DIRECTIVE = /^[ \t]*#[ \t]*lora-lens:[ \t]*target-depth[ \t]*=[ \t]*([^\s#]*)/m;

/** Finds the first directive (a comment on its own line). */
export function findTargetDepthDirective(source: string, lines?: LineTable): TargetDepthDirective | undefined {
  // Cheap precheck: most files have no directive at all.
  if (!source.includes('lora-lens:')) return undefined;
  const m = DIRECTIVE.exec(source);
  if (!m) return undefined;
  const start = m.index + m[0].indexOf('#');
  const range = (lines ?? new LineTable(source)).range(start, m.index + m[0].length);
  const raw = m[1]!;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1_000_000) {
    return { error: `'${raw.slice(0, 20)}' is not a positive whole number`, range };
  }
  return { value: Number(raw), range };
}

export type TargetDepthSource = 'directive' | 'setting' | 'default';

export interface ResolvedTargetDepth {
  Lbar: number;
  source: TargetDepthSource;
  /** How to say where L̄ came from, e.g. "L̄ = ⌈L/2⌉ (default)". */
  explanation: string;
}

/** L̄ for a frozen depth L: directive, then setting, then ⌈L/2⌉. */
export function resolveTargetDepth(L: number, directive: TargetDepthDirective | undefined, setting: number | null): ResolvedTargetDepth {
  if (directive?.value !== undefined) {
    return { Lbar: directive.value, source: 'directive', explanation: `L̄ = ${directive.value} from # lora-lens: target-depth` };
  }
  if (setting !== null && Number.isInteger(setting) && setting >= 1) {
    return { Lbar: setting, source: 'setting', explanation: `L̄ = ${setting} from setting loraLens.targetDepth` };
  }
  const Lbar = Math.ceil(L / 2);
  return { Lbar, source: 'default', explanation: `L̄ = ⌈L/2⌉ = ${Lbar} (default)` };
}
