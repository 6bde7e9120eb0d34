/** Base and target must be the same architecture: list the first differences, for one clear error. */
import type { ModelSpec } from '../../formats/types';
import { AnalysisInputError } from './context';
import { isMatrixModule } from './weights';

const MAX_LISTED = 5;

/** Differences in architecture, dims, module names and shapes (empty when they match). */
export function architectureMismatches(base: ModelSpec, target: ModelSpec): string[] {
  const out: string[] = [];
  if (base.kind !== target.kind) out.push(`kind: ${base.kind} vs ${target.kind}`);
  const bt = base.transformer;
  const tt = target.transformer;
  if (bt && tt) {
    for (const key of ['modelType', 'hiddenSize', 'numLayers', 'numHeads', 'numKeyValueHeads', 'headDim'] as const) {
      if (bt[key] !== tt[key]) out.push(`${key}: ${String(bt[key])} vs ${String(tt[key])}`);
    }
  }
  const targetByName = new Map(target.modules.map((m) => [m.name, m]));
  const baseNames = new Set(base.modules.map((m) => m.name));
  for (const m of base.modules) {
    if (!isMatrixModule(m)) continue;
    const t = targetByName.get(m.name);
    if (!t) out.push(`${m.name}: only in the base`);
    else if (t.shape.join('×') !== m.shape.join('×')) out.push(`${m.name}: shape [${m.shape.join(', ')}] vs [${t.shape.join(', ')}]`);
    else if (Boolean(t.transposed) !== Boolean(m.transposed)) out.push(`${m.name}: stored transposed in one model only`);
  }
  for (const t of target.modules) if (isMatrixModule(t) && !baseNames.has(t.name)) out.push(`${t.name}: only in the target`);
  return out;
}

/** Throws an AnalysisInputError listing the first mismatches. */
export function requireSameArchitecture(base: ModelSpec, target: ModelSpec): void {
  const diffs = architectureMismatches(base, target);
  if (diffs.length === 0) return;
  const listed = diffs.slice(0, MAX_LISTED);
  if (diffs.length > MAX_LISTED) listed.push(`… ${diffs.length - MAX_LISTED} more`);
  throw new AnalysisInputError(`base ${base.source} and target ${target.source} are not the same architecture`, listed);
}
