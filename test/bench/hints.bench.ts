/**
 * Inline-hint benchmark: the work done per document update for 2,000-line files of each kind.
 * (a) config.json: a Llama config with a 2,000-line label map;
 * (b) adapter_config.json: 980 rank_pattern and 980 alpha_pattern entries for a 140-layer base,
 *     with and without a data-driven analysis;
 * (c) Python: the synthetic 2,000-line PyTorch file, hint computation alone and incremental parse +
 *     hints (the parser is the Python reader's; its own benchmark is python.bench.ts).
 * Each edit is a small change at a different place; medians after warm-up. Budget: 5 ms per update.
 *
 * What one update costs in the extension: HintsService computes a document's hints once per
 * version, for the whole document (inlay hints, CodeLens, hovers and diagnostics; the inlay
 * provider only filters by the visible range afterwards), and that computation is what is timed
 * here. Python timings include the reader (incremental parse + findings) on one parser per
 * document, as in the extension; they include segments touched for the first time (a fresh parse
 * of ~2,000 characters), since every edit lands at a different place.
 * Runnable directly: `node out/test/bench/hints.bench.js`.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { hfConfigFromObject } from '../../src/formats/config';
import { createPythonParser } from '../../src/formats/python';
import { LineTable } from '../../src/formats/python/positions';
import { computeAdapterHints } from '../../src/hints/adapterHints';
import { computeConfigJsonHints } from '../../src/hints/configJsonHints';
import { computePythonHints } from '../../src/hints/pythonHints';
import type { TransformerAnalysisResult } from '../../src/hints/types';
import { syntheticModelSource } from '../fixtures/python/synthetic';

const root = path.resolve(__dirname, '..', '..', '..');
const wasmPaths = {
  runtime: path.join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'),
  grammar: path.join(root, 'node_modules/@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm'),
};
const link = { argsJson: JSON.stringify(['file:///bench']) };
const BUDGET_MS = 5;

interface Timing {
  medianMs: number;
  p90Ms: number;
  cpuMedianMs: number;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

/** Times `run` on each version (the first `warmup` are not counted). */
function time<T>(versions: readonly T[], run: (v: T) => unknown, warmup = 10): Timing {
  const wall: number[] = [];
  const cpu: number[] = [];
  versions.forEach((v, i) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run(v);
    const t = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (i >= warmup) {
      wall.push(t);
      cpu.push((c.user + c.system) / 1000);
    }
  });
  return { medianMs: quantile(wall, 0.5), p90Ms: quantile(wall, 0.9), cpuMedianMs: quantile(cpu, 0.5) };
}

/**
 * `count` versions of `text`, each with one more insertion near the i-th match of `anchor`.
 * Note: the offset shift assumes every earlier insertion lies before the spot, so insertions
 * drift (by `insert.length` per edit) into neighbouring code; in the Python file they end up in
 * identifiers (`nn.GE + 1LU()`) and accumulate ~36 syntax errors. Kept for comparison with
 * earlier numbers; `editsAtAnchors` is the faithful version.
 */
function edits(text: string, anchor: RegExp, count: number, insert: string): string[] {
  const spots = [...text.matchAll(anchor)].map((m) => m.index! + m[0].length);
  const out: string[] = [];
  let current = text;
  for (let i = 0; i < count; i++) {
    const at = spots[(i * 37) % spots.length]! + (current.length - text.length);
    current = current.slice(0, at) + insert + current.slice(at);
    out.push(current);
  }
  return out;
}

/**
 * `count` versions of `text`, each with `insert` added exactly after the i-th match of `anchor`
 * (offsets account for earlier insertions before that spot only), so every version is valid code.
 */
function editsAtAnchors(text: string, anchor: RegExp, count: number, insert: string): string[] {
  const spots = [...text.matchAll(anchor)].map((m) => m.index! + m[0].length);
  const done: number[] = [];
  const out: string[] = [];
  let current = text;
  for (let i = 0; i < count; i++) {
    const spot = spots[(i * 37) % spots.length]!;
    const at = spot + done.filter((s) => s <= spot).length * insert.length;
    done.push(spot);
    current = current.slice(0, at) + insert + current.slice(at);
    out.push(current);
  }
  return out;
}

/**
 * Typing `insert` one character at a time after successive matches of `anchor`: the versions in
 * between are transiently invalid (`FF +)`), as while a person types; at most one error at a time.
 */
function typedAtAnchors(text: string, anchor: RegExp, spotsUsed: number, insert: string): string[] {
  const spots = [...text.matchAll(anchor)].map((m) => m.index! + m[0].length);
  const out: string[] = [];
  let current = text;
  for (let i = 0; i < spotsUsed; i++) {
    const at = spots[i % spots.length]! + i * insert.length; // spots in increasing order: all earlier insertions precede
    for (let c = 1; c <= insert.length; c++) out.push(current.slice(0, at) + insert.slice(0, c) + current.slice(at));
    current = out[out.length - 1]!;
  }
  return out;
}

function configText(lines: number): string {
  const labels: Record<string, string> = {};
  for (let i = 0; labels && Object.keys(labels).length < lines - 30; i++) labels[String(i)] = `LABEL_${i}`;
  return JSON.stringify({
    architectures: ['LlamaForCausalLM'], hidden_size: 4096, id2label: labels, intermediate_size: 11008, model_type: 'llama',
    num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 8, vocab_size: 32000,
  }, null, 2);
}

const BASE_LAYERS = 140;
const MODULES = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'];

function adapterText(): string {
  const rank: Record<string, number> = {};
  const alpha: Record<string, number> = {};
  for (let l = 0; l < BASE_LAYERS; l++) {
    for (const m of MODULES) {
      rank[`model.layers.${l}.${m}`] = 4 + ((l * 7 + m.length) % 29);
      alpha[`model.layers.${l}.${m}`] = 16;
    }
  }
  return JSON.stringify({
    alpha_pattern: alpha, base_model_name_or_path: '../base', lora_alpha: 16, peft_type: 'LORA', r: 16, rank_pattern: rank,
    target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
  }, null, 2);
}

function analysisFor(): TransformerAnalysisResult {
  const modules: TransformerAnalysisResult['modules'] = [];
  const rankPattern: Record<string, number> = {};
  for (let l = 0; l < BASE_LAYERS; l++) {
    for (const m of MODULES) {
      const name = `model.layers.${l}.${m}`;
      const deltaRank = 1 + ((l + m.length) % 12);
      modules.push({ name, deltaRank, shape: [4096, 4096] });
      rankPattern[name] = deltaRank;
    }
  }
  return { rankPattern, modules };
}

function calibrationMs(): number {
  const start = performance.now();
  let sum = 0;
  for (let i = 0; i < 1e7; i++) sum += i & 7;
  if (sum < 0) throw new Error('unreachable');
  return performance.now() - start;
}

function line(log: (s: string) => void, what: string, t: Timing): void {
  log(`hints: ${what}: median ${t.medianMs.toFixed(2)} ms, p90 ${t.p90Ms.toFixed(2)} ms, CPU median ${t.cpuMedianMs.toFixed(2)} ms ` +
    `(budget ${BUDGET_MS} ms: ${t.medianMs < BUDGET_MS ? 'within' : 'OVER'})`);
}

export async function runHintsBench(log: (line: string) => void): Promise<Record<string, Timing>> {
  const results: Record<string, Timing> = {};
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  log(`hints: ${os.cpus().length} cores, load average ${load()} (1/5/15 min)`);
  log(`hints: machine calibration (1e7-step JS loop) ${calibrationMs().toFixed(1)} ms (about 7 ms on an idle modern core)`);

  const config = configText(2000);
  const configVersions = edits(config, /"LABEL_/g, 60, '1');
  log(`hints: config.json ${new LineTable(config).position(config.length).line + 1} lines`);
  results.config = time(configVersions, (text) => computeConfigJsonHints(text, { file: 'config.json', link }));
  line(log, 'config.json, hints per update', results.config);

  const adapter = adapterText();
  const baseConfig = hfConfigFromObject({
    model_type: 'llama', hidden_size: 4096, num_attention_heads: 32, num_key_value_heads: 8, num_hidden_layers: BASE_LAYERS,
    intermediate_size: 11008, vocab_size: 32000,
  }, 'base/config.json');
  const base = { folder: '/base', via: 'base_model_name_or_path' as const, config: baseConfig };
  // Valid JSON edits exactly after the first digit of alpha_pattern and rank_pattern values (the
  // drifting `edits` left 4 of the 60 versions invalid JSON, which return early).
  const adapterVersions = editsAtAnchors(adapter, /_proj": \d/g, 60, '1');
  const lines = new LineTable(adapter).position(adapter.length).line + 1;
  const sample = computeAdapterHints(adapter, { file: 'adapter_config.json', link, base });
  log(`hints: adapter_config.json ${lines} lines, ${sample.inlays.length} inlay hints, ${sample.diagnostics.length} diagnostics`);
  results.adapter = time(adapterVersions, (text) => computeAdapterHints(text, { file: 'adapter_config.json', link, base }));
  line(log, 'adapter_config.json (architecture only), hints per update', results.adapter);
  const analysis = analysisFor();
  results.adapterAnalysis = time(adapterVersions, (text) => computeAdapterHints(text, { file: 'adapter_config.json', link, base, analysis }));
  line(log, 'adapter_config.json (with analysis), hints per update', results.adapterAnalysis);

  const source = syntheticModelSource(2000);
  const parser = await createPythonParser(wasmPaths);
  const findings = parser.analyze(source);
  const sampleHints = computePythonHints(findings, source, { targetDepthSetting: null, link });
  log(`hints: Python ${source.split('\n').length} lines: ${sampleHints.lenses.length} CodeLens, ${sampleHints.inlays.length} inlay hints`);
  const pyVersions = edits(source, /nn\.Linear\(HIDDEN, FF/g, 60, ' + 1');
  // Hint computation alone, from findings of each version (parsed beforehand).
  const parsed = pyVersions.map((text) => ({ text, findings: parser.analyze(text) }));
  results.pythonHints = time(parsed, ({ text, findings: f }) => computePythonHints(f, text, { targetDepthSetting: null, link }));
  line(log, 'Python, hint computation from findings (of one incremental parser, so unchanged findings are shared and their hints reused)', results.pythonHints);
  parser.dispose();
  const fresh = await createPythonParser(wasmPaths);
  fresh.analyze(source);
  results.python = time(pyVersions, (text) => computePythonHints(fresh.analyze(text), text, { targetDepthSetting: null, link }));
  line(log, 'Python, incremental parse + hints per update (old edit generator: drifting inserts, up to 36 syntax errors; degenerate: every update is a whole-document parse with tree-sitter error recovery)', results.python);
  fresh.dispose();

  // Realistic cases: the same insertion at the intended place, and the same text typed key by key.
  const valid = await createPythonParser(wasmPaths);
  valid.analyze(source);
  const validVersions = editsAtAnchors(source, /nn\.Linear\(HIDDEN, FF/g, 60, ' + 1');
  results.pythonValid = time(validVersions, (text) => computePythonHints(valid.analyze(text), text, { targetDepthSetting: null, link }));
  line(log, 'Python, incremental parse + hints per update (valid edits inside nn.Linear(HIDDEN, FF…))', results.pythonValid);
  valid.dispose();
  const typing = await createPythonParser(wasmPaths);
  typing.analyze(source);
  const typedVersions = typedAtAnchors(source, /nn\.Linear\(HIDDEN, FF/g, 20, ' + 1');
  results.pythonTyping = time(typedVersions, (text) => computePythonHints(typing.analyze(text), text, { targetDepthSetting: null, link }));
  line(log, 'Python, incremental parse + hints per keystroke (typing " + 1", transient syntax errors)', results.pythonTyping);
  typing.dispose();
  // Typing keeps hitting the same few segments: the common case while a person works in one place.
  const local = await createPythonParser(wasmPaths);
  local.analyze(source);
  const localVersions = typedAtAnchors(source, /nn\.Linear\(HIDDEN, FF/g, 2, ' + 1').concat(typedAtAnchors(source, /nn\.Linear\(HIDDEN, FF/g, 2, ' + 1'));
  const repeated = typedAtAnchors(source, /nn\.Linear\(HIDDEN, FF/g, 3, ' * 2 + 1 - 1');
  results.pythonTypingLocal = time([...localVersions, ...repeated], (text) => computePythonHints(local.analyze(text), text, { targetDepthSetting: null, link }));
  line(log, 'Python, incremental parse + hints per keystroke (typing in the same three places, transient syntax errors)', results.pythonTypingLocal);
  local.dispose();
  log(`hints: load average at the end ${load()}`);
  return results;
}

if (require.main === module) {
  runHintsBench((l) => console.log(l)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
