/**
 * Python reader benchmark: a generated 2,000-line PyTorch file.
 * (a) cold: a fresh parser analyses the whole file (full parse + full walk);
 * (b) edit: the same parser re-analyses after each of ~50 small edits (typing inside layer
 *     calls and in plain code): incremental parse + walk of the edited statement + findings.
 * The editor's budget is (b): under 5 ms. Runnable directly: `node out/test/bench/python.bench.js`.
 */
import * as path from 'node:path';
import { createPythonParser } from '../../src/formats/python';
import { syntheticModelSource } from '../fixtures/python/synthetic';

const root = path.resolve(__dirname, '..', '..', '..');
const wasmPaths = {
  runtime: path.join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'),
  grammar: path.join(root, 'node_modules/@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm'),
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Edits that keep the file valid: widen a Linear, type in forward code, touch a comment. */
function editedVersions(source: string, count: number): string[] {
  const out: string[] = [];
  const anchors = ['nn.Linear(HIDDEN, FF)', 'x = x + a', '# residual attention', 'r=RANK'];
  let text = source;
  let from = 0;
  for (let i = 0; i < count; i++) {
    const anchor = anchors[i % anchors.length]!;
    let at = text.indexOf(anchor, from);
    if (at < 0) at = text.indexOf(anchor);
    from = at + 4000; // walk through the file
    const insertAt = at + anchor.length - 1;
    text = i % 2 === 0 ? text.slice(0, insertAt) + ' + 1' + text.slice(insertAt) : text.slice(0, insertAt) + 'é' + text.slice(insertAt);
    out.push(text);
  }
  return out;
}

/** A fixed JavaScript workload, to tell a slow or shared machine from a slow reader. */
function calibrationMs(): number {
  const start = performance.now();
  let sum = 0;
  for (let i = 0; i < 1e7; i++) sum += i & 7;
  if (sum < 0) throw new Error('unreachable');
  return performance.now() - start;
}

export async function runPythonBench(log: (line: string) => void): Promise<{ coldMs: number; editMs: number }> {
  const source = syntheticModelSource(2000);
  const t0 = performance.now();
  const warm = await createPythonParser(wasmPaths);
  log(`python: load runtime + grammar ${(performance.now() - t0).toFixed(1)} ms`);
  const first = warm.analyze(source);
  log(`python: 2,000 lines, ${source.length} chars: ${first.linears.length} linears, ${first.stacks.length} stacks, ` +
    `${first.attention.length} attention, ${first.loraConfigs.length} LoraConfigs`);
  warm.dispose();

  // Repeat the cold path enough for the wasm code to reach its optimised tier.
  const cold: number[] = [];
  for (let i = 0; i < 15; i++) {
    const parser = await createPythonParser(wasmPaths);
    const start = performance.now();
    parser.analyze(source);
    cold.push(performance.now() - start);
    parser.dispose();
  }

  const parser = await createPythonParser(wasmPaths);
  parser.analyze(source);
  const edits: number[] = [];
  const editsCpu: number[] = [];
  for (const version of editedVersions(source, 60)) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    parser.analyze(version);
    edits.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    editsCpu.push((used.user + used.system) / 1000);
  }
  parser.dispose();
  const coldMs = median(cold);
  const editMs = median(edits.slice(10));
  log(`python: analyze after an edit, CPU time median ${median(editsCpu.slice(10)).toFixed(2)} ms`);
  log(`python: machine calibration (1e7-step JS loop) ${calibrationMs().toFixed(1)} ms (about 7 ms on an idle modern core)`);
  log(`python: cold analyze (full parse + walk) median ${coldMs.toFixed(2)} ms over ${cold.length} runs`);
  log(`python: analyze after an edit median ${editMs.toFixed(2)} ms over ${edits.length - 10} runs ` +
    `(p90 ${[...edits.slice(10)].sort((a, b) => a - b)[Math.floor((edits.length - 10) * 0.9)]!.toFixed(2)} ms; budget 5 ms)`);
  return { coldMs, editMs };
}

if (require.main === module) {
  runPythonBench((line) => console.log(line)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
