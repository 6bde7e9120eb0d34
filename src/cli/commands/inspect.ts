/**
 * `lora-lens inspect <file-or-folder> [--json]`: what a model (or a PEFT adapter) holds —
 * architecture, layers, widths, and every module with role, shape, dtype and parameter count.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ADAPTER_CONFIG_FILE, loadAdapter } from '../../formats/adapter';
import { printable } from '../../formats/config';
import { loadModel } from '../../formats/loadModel';
import { FormatError, type AdapterSpec, type ModelSpec, type ModuleSpec } from '../../formats/types';
import { parseArgs, UsageError } from '../args';
import type { CliIO } from '../io';

const USAGE = 'usage: lora-lens inspect <file-or-folder> [--json]';

export async function inspectCommand(argv: string[], io: CliIO): Promise<number> {
  try {
    const args = parseArgs(argv, { json: { value: false } });
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? `missing <file-or-folder>; ${USAGE}` : `expected one path; ${USAGE}`);
    const target = args.positionals[0];
    const json = args.options.has('json');
    if (await isAdapterPath(target)) {
      const adapter = await loadAdapter(target);
      io.out(json ? `${safeJson(adapterSummary(adapter))}\n` : adapterText(adapter));
    } else {
      const model = await loadModel(target);
      io.out(json ? `${safeJson(modelSummary(model))}\n` : modelText(model));
    }
    return 0;
  } catch (e) {
    if (e instanceof FormatError) {
      io.err(`lora-lens: ${oneLine(e.file)}: ${oneLine(e.problem)}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      io.err(`lora-lens inspect: ${oneLine(e.message)}\n`);
      return 2;
    }
    throw e;
  }
}

/** An adapter_config.json, or a folder with one and no model config. */
async function isAdapterPath(target: string): Promise<boolean> {
  if (path.basename(target) === ADAPTER_CONFIG_FILE) return true;
  const isFile = (p: string): Promise<boolean> => fs.stat(p).then((s) => s.isFile(), () => false);
  const isDir = await fs.stat(target).then((s) => s.isDirectory(), () => false);
  return isDir && (await isFile(path.join(target, ADAPTER_CONFIG_FILE))) && !(await isFile(path.join(target, 'config.json')));
}

// ---- summaries (the --json shape) ----

export interface ModuleSummary {
  name: string;
  role: ModuleSpec['role'];
  layer?: number;
  shape: number[];
  dtype: string;
  parameters: number;
  bias: boolean;
  transposed?: boolean;
  fusedSlices?: ModuleSpec['fusedSlices'];
}

export interface ModelSummary {
  source: string;
  kind: ModelSpec['kind'];
  architecture: string;
  layers: number;
  widths?: number[];
  transformer?: ModelSpec['transformer'];
  sequentialLayers?: string[];
  parameters: number;
  files?: string[];
  modules: ModuleSummary[];
  notes: string[];
}

export function modelSummary(model: ModelSpec): ModelSummary {
  const modules = model.modules.map((m): ModuleSummary => {
    const s: ModuleSummary = { name: m.name, role: m.role, shape: m.shape, dtype: m.dtype, parameters: m.parameters, bias: m.bias !== undefined };
    if (m.layer !== undefined) s.layer = m.layer;
    if (m.transposed) s.transposed = true;
    if (m.fusedSlices) s.fusedSlices = m.fusedSlices;
    return s;
  });
  const summary: ModelSummary = {
    source: model.source,
    kind: model.kind,
    architecture: architectureName(model),
    layers: layerCount(model),
    parameters: model.modules.reduce((t, m) => t + m.parameters, 0),
    modules,
    notes: model.notes,
  };
  const widths = mlpWidths(model);
  if (widths) summary.widths = widths;
  if (model.transformer) summary.transformer = model.transformer;
  if (model.sequentialLayers) summary.sequentialLayers = model.sequentialLayers;
  if (model.checkpoint) summary.files = model.checkpoint.files;
  return summary;
}

function architectureName(model: ModelSpec): string {
  if (model.kind === 'transformer') return model.transformer?.modelType ?? 'transformer';
  return model.kind === 'mlp' ? 'sequential MLP' : 'unknown';
}

function layerCount(model: ModelSpec): number {
  if (model.transformer) return model.transformer.numLayers;
  if (model.sequentialLayers) return model.sequentialLayers.length;
  return model.modules.reduce((n, m) => Math.max(n, (m.layer ?? -1) + 1), 0);
}

/** [in, out of layer 1, …] when the sequential layers chain. */
function mlpWidths(model: ModelSpec): number[] | undefined {
  if (!model.sequentialLayers) return undefined;
  const byName = new Map(model.modules.map((m) => [m.name, m]));
  const layers = model.sequentialLayers.map((n) => byName.get(n)).filter((m): m is ModuleSpec => m !== undefined);
  if (layers.length === 0) return undefined;
  for (let i = 0; i + 1 < layers.length; i++) if (layers[i].shape[0] !== layers[i + 1].shape[1]) return undefined;
  return [layers[0].shape[1], ...layers.map((m) => m.shape[0])];
}

export function adapterSummary(a: AdapterSpec): Record<string, unknown> {
  return {
    kind: 'lora-adapter',
    source: a.source,
    configFile: a.configFile,
    weightsFile: a.weightsFile ?? null,
    baseModelNameOrPath: a.baseModelNameOrPath,
    r: a.r,
    loraAlpha: a.loraAlpha,
    useRslora: a.useRslora,
    targetModules: a.targetModules,
    rankPattern: a.rankPattern,
    alphaPattern: a.alphaPattern,
    layersToTransform: a.layersToTransform,
    parameters: a.pairs.reduce((t, p) => t + pairParameters(p), 0),
    pairs: a.pairs.map((p) => ({
      baseModule: p.baseModule, rank: p.rank, alpha: p.alpha, scale: p.scale,
      aShape: p.a.shape, bShape: p.b.shape, dtype: p.a.dtype, parameters: pairParameters(p),
    })),
  };
}

const pairParameters = (p: AdapterSpec['pairs'][number]): number =>
  p.a.shape.reduce((x, d) => x * d, 1) + p.b.shape.reduce((x, d) => x * d, 1);

// ---- text ----

function modelText(model: ModelSpec): string {
  const s = modelSummary(model);
  const facts: [string, string][] = [['source', s.source], ['architecture', s.kind === 'transformer' ? `transformer (${s.architecture})` : s.architecture]];
  const t = model.transformer;
  if (t) {
    facts.push(['layers', String(t.numLayers)], ['hidden size', String(t.hiddenSize)]);
    const kv = t.numKeyValueHeads === t.numHeads ? `${t.numHeads} key/value` : `${t.numKeyValueHeads} key/value (grouped, ${t.numHeads / t.numKeyValueHeads} per group)`;
    facts.push(['heads', `${t.numHeads} query, ${kv}, head width ${t.headDim}`]);
    if (t.intermediateSize !== undefined) facts.push(['intermediate', `${t.intermediateSize}${t.gatedMlp ? ' (gated MLP)' : ''}`]);
    if (t.vocabSize !== undefined) facts.push(['vocabulary', String(t.vocabSize)]);
    facts.push(['positions', t.usesRope ? 'RoPE' : 'learned or none']);
  } else {
    facts.push(['layers', s.kind === 'mlp' ? `${s.layers} linear` : String(s.layers)]);
    if (s.widths) facts.push(['widths', s.widths.join(' → ')]);
  }
  facts.push(['parameters', `${thousands(s.parameters)} in ${s.modules.length} modules`]);
  if (s.files) facts.push(['files', s.files.map((f) => path.basename(f)).join(', ')]);

  const rows = s.modules.map((m) => [
    m.name,
    m.role,
    m.layer === undefined ? '-' : String(m.layer),
    `[${m.shape.join(', ')}]`,
    m.dtype,
    thousands(m.parameters),
    [m.transposed ? 'stored transposed' : '', m.fusedSlices ? 'fused q/k/v' : '', m.bias ? 'bias' : ''].filter(Boolean).join(', '),
  ]);
  const lines = [
    ...alignFacts(facts),
    '',
    ...table(['module', 'role', 'layer', 'shape [out, in]', 'dtype', 'parameters', ''], rows, [false, false, true, false, false, true, false]),
  ];
  if (s.notes.length > 0) lines.push('', 'notes', ...s.notes.map((n) => `  - ${n}`));
  return `${lines.map(oneLine).join('\n')}\n`;
}

function adapterText(a: AdapterSpec): string {
  const patterns = (p: Record<string, number>): string => Object.entries(p).map(([k, v]) => `${k} → ${v}`).join(', ');
  const facts: [string, string][] = [
    ['adapter', a.source],
    ['base model', a.baseModelNameOrPath ?? '(not stated)'],
    ['r', Object.keys(a.rankPattern).length ? `${a.r} (rank_pattern: ${patterns(a.rankPattern)})` : String(a.r)],
    ['lora_alpha', Object.keys(a.alphaPattern).length ? `${a.loraAlpha} (alpha_pattern: ${patterns(a.alphaPattern)})` : String(a.loraAlpha)],
    ['scale', a.useRslora ? 'alpha / √r (rsLoRA)' : 'alpha / r'],
    ['target modules', a.targetModules === null ? '(none)' : typeof a.targetModules === 'string' ? `regex ${a.targetModules}` : a.targetModules.join(', ')],
  ];
  if (a.layersToTransform) facts.push(['layers', a.layersToTransform.join(', ')]);
  facts.push(['weights', a.weightsFile ? `${path.basename(a.weightsFile)}, ${a.pairs.length} LoRA pairs` : '(no adapter_model.safetensors)']);
  const lines = alignFacts(facts);
  if (a.pairs.length > 0) {
    const rows = a.pairs.map((p) => [
      p.baseModule, String(p.rank), String(p.alpha), formatScale(p.scale),
      `[${p.a.shape.join(', ')}]`, `[${p.b.shape.join(', ')}]`, p.a.dtype, thousands(pairParameters(p)),
    ]);
    lines.push('', ...table(['module', 'rank', 'alpha', 'scale', 'lora_A', 'lora_B', 'dtype', 'parameters'], rows,
      [false, true, true, true, false, false, false, true]));
  }
  return `${lines.map(oneLine).join('\n')}\n`;
}

function alignFacts(facts: readonly [string, string][]): string[] {
  const w = Math.max(...facts.map(([k]) => k.length));
  return facts.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
}

/** Aligned columns; `right[i]` right-aligns column i. Cells are escaped before measuring. */
function table(header: readonly string[], rows: readonly string[][], right: readonly boolean[]): string[] {
  const all = [header, ...rows].map((r) => r.map(oneLine));
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...r[i]].length)));
  return all.map((r) => r.map((cell, i) => {
    const pad = ' '.repeat(widths[i] - [...cell].length);
    return right[i] ? pad + cell : cell + pad;
  }).join('  ').trimEnd());
}

function formatScale(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4).replace(/0+$/, '');
}

/** 1234567 → "1,234,567" (locale-independent). */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Escapes control characters so a name from a file cannot move the cursor or start a new line. */
function oneLine(s: string): string {
  return printable(s);
}

/** JSON with the characters JSON.stringify leaves raw (DEL, C1 controls, bidi overrides) escaped. */
function safeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
