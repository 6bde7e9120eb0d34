/**
 * The analysis entry point: `analyze(options, ctx) → Report`, dispatching on what the inputs are
 * (architecture only, FNN pair, Transformer pair, PEFT adapter). Every surface renders the Report.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ADAPTER_CONFIG_FILE, loadAdapter } from '../../formats/adapter';
import { loadModel } from '../../formats/loadModel';
import type { AdapterSpec, ModelSpec } from '../../formats/types';
import type { AnalyzeParams, ModelRef, Report, ReportKind } from '../../protocol';
import { version } from '../../../package.json';
import { architectureReport } from './architecture';
import { requireSameArchitecture } from './compare';
import { AnalysisInputError, makeContext, throwIfCancelled, type AnalysisContext, type AnalysisContextInput } from './context';
import { analyzeAdapter } from './adapter';
import { analyzeFnnPair, estimateFnnMemory } from './fnn';
import { describeTolerance } from './spectra';
import { analyzeTransformerPair, DEFAULT_RANK_TARGET, estimateTransformerMemory } from './transformer';
import { isMatrixModule } from './weights';

export { AnalysisCancelledError, AnalysisInputError, type AnalysisContextInput } from './context';
export { recommendedRank } from './transformer';
export { architectureMismatches } from './compare';

/** What to analyse: AnalyzeParams without the RPC token. */
export type AnalyzeOptions = Omit<AnalyzeParams, 'token'>;

export const DEFAULT_MEMORY_CAP_BYTES = 4 * 1024 ** 3;

/**
 * Analyses `options.base` (and `options.target`) and returns the Report.
 * @throws FormatError (bad file), AnalysisInputError (inputs that do not fit together, memory cap),
 *   AnalysisCancelledError (ctx.signal aborted)
 */
export async function analyze(options: AnalyzeOptions, contextInput: AnalysisContextInput): Promise<Report> {
  const started = performance.now();
  const ctx = makeContext(contextInput);
  const tolerance = describeTolerance(options.tolerance);
  const notes: string[] = [];
  const cap = options.memoryCapBytes ?? DEFAULT_MEMORY_CAP_BYTES;
  const finish = async (kind: ReportKind, models: Report['models'], estimatedMemoryBytes: number, parts: Partial<Report>, usedBackend: boolean): Promise<Report> => {
    const backend = usedBackend ? await ctx.backend() : null;
    return {
      schemaVersion: 1,
      kind,
      tool: { name: 'lora-lens', version },
      createdAt: new Date().toISOString(),
      backend: backend ? { name: backend.name, version: backend.version, device: backend.device ?? 'CPU' } : null,
      tolerance,
      models,
      seconds: (performance.now() - started) / 1000,
      estimatedMemoryBytes,
      notes,
      ...parts,
    };
  };
  const checkCap = (bytes: number, what: string): void => {
    if (bytes > cap) {
      throw new AnalysisInputError(
        `${what} needs an estimated ${formatBytes(bytes)} of working memory, above the cap of ${formatBytes(cap)}; refused before reading any tensor`,
      );
    }
  };

  // PEFT adapter: as <base> or as --target, the other (if any) being the base model.
  const adapterPath = (await isAdapterPath(options.base)) ? options.base : options.target && (await isAdapterPath(options.target)) ? options.target : undefined;
  if (adapterPath !== undefined) {
    const adapter = await loadAdapter(adapterPath);
    const other = adapterPath === options.base ? options.target : options.base;
    const base = other !== undefined ? await loadModel(other) : await localBaseModel(adapter, adapterPath, notes);
    const bytes = adapterMemory(adapter);
    checkCap(bytes, adapterPath);
    throwIfCancelled(ctx.signal);
    const report = await analyzeAdapter({ adapter, base, policy: tolerance, notes }, ctx);
    const models: Report['models'] = { base: base ? modelRef(base, base.source) : { source: adapterPath, architecture: 'lora-adapter', parameters: adapterParameters(adapter) } };
    if (base) models.target = { source: adapterPath, architecture: 'lora-adapter', parameters: adapterParameters(adapter) };
    return finish('adapter', models, bytes, { adapter: report }, true);
  }

  const base = await loadModel(options.base);
  notes.push(...base.notes.map((n) => `base: ${n}`));
  if (options.target === undefined) {
    const architecture = architectureReport(base, options.targetDepth, notes);
    return finish('architecture', { base: modelRef(base, options.base) }, 0, { architecture }, false);
  }

  const target = await loadModel(options.target);
  notes.push(...target.notes.map((n) => `target: ${n}`));
  const models = { base: modelRef(base, options.base), target: modelRef(target, options.target) };
  if (base.kind === 'mlp' && target.kind === 'mlp' && base.sequentialLayers && target.sequentialLayers) {
    const L = base.sequentialLayers.length;
    const Lbar = target.sequentialLayers.length;
    if (options.targetDepth !== undefined && options.targetDepth !== Lbar) {
      throw new AnalysisInputError(`--target-depth ${options.targetDepth} contradicts the target checkpoint, which has ${Lbar} layers`);
    }
    const D = base.modules.find((m) => m.name === base.sequentialLayers![0])?.shape[0] ?? 0;
    const bytes = estimateFnnMemory(D, L, Lbar);
    checkCap(bytes, `the FNN pair (D=${D}, L=${L}, L̄=${Lbar})`);
    const fnn = await analyzeFnnPair({ frozen: base, target, policy: tolerance, inputScale: options.inputScale ?? 1, notes }, ctx);
    return finish('fnn', models, bytes, { fnn }, true);
  }

  requireSameArchitecture(base, target);
  if (!base.transformer) notes.push('no transformer dimensions recognised: per-module deltas only, no head gaps');
  else if (base.transformer.usesRope) notes.push('the model uses RoPE: the per-head bounds ignore the rotary embedding');
  const bytes = estimateTransformerMemory(base);
  checkCap(bytes, options.base);
  const transformer = await analyzeTransformerPair(
    { base, target, policy: tolerance, rankTarget: options.rankTarget ?? DEFAULT_RANK_TARGET, rank: options.rank, notes },
    ctx,
  );
  return finish('transformer', models, bytes, { transformer }, true);
}

export type { AnalysisContext };

async function isAdapterPath(target: string): Promise<boolean> {
  if (path.basename(target) === ADAPTER_CONFIG_FILE) return true;
  const isFile = (p: string): Promise<boolean> => fs.stat(p).then((s) => s.isFile(), () => false);
  return (await isFile(path.join(target, ADAPTER_CONFIG_FILE))) && !(await isFile(path.join(target, 'config.json')));
}

/** base_model_name_or_path, when it names a local folder (relative to the adapter folder or absolute). */
async function localBaseModel(adapter: AdapterSpec, adapterPath: string, notes: string[]): Promise<ModelSpec | undefined> {
  const name = adapter.baseModelNameOrPath;
  if (!name) return undefined;
  const folder = (await fs.stat(adapterPath).then((s) => s.isDirectory(), () => false)) ? adapterPath : path.dirname(adapterPath);
  const candidate = path.resolve(folder, name);
  const exists = await fs.stat(candidate).then(() => true, () => false);
  if (!exists) {
    notes.push(`base model '${name}' is not a local folder; give it with --target to compare against its thresholds`);
    return undefined;
  }
  notes.push(`base model read from ${candidate} (base_model_name_or_path)`);
  return loadModel(candidate);
}

function adapterParameters(a: AdapterSpec): number {
  return a.pairs.reduce((t, p) => t + p.a.shape.reduce((x, d) => x * d, 1) + p.b.shape.reduce((x, d) => x * d, 1), 0);
}

function adapterMemory(a: AdapterSpec): number {
  return Math.max(0, ...a.pairs.map((p) => 8 * 3 * (p.a.shape.reduce((x, d) => x * d, 1) + p.b.shape.reduce((x, d) => x * d, 1))));
}

function modelRef(model: ModelSpec, source: string): ModelRef {
  const architecture = model.kind === 'transformer' ? model.transformer?.modelType ?? 'transformer' : model.kind === 'mlp' ? 'sequential MLP' : 'unknown';
  return { source, architecture, parameters: model.modules.reduce((t, m) => t + m.parameters, 0) };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.ceil(bytes / 1024)} kB`;
}

// Keep the matrix-module predicate reachable for surfaces that list analysed modules.
export { isMatrixModule };
