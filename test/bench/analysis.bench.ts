/**
 * Analysis benchmark.
 * (a) The full analysis of a generated Llama-style Transformer pair, hidden size 1024, 8 layers
 *     (16 query heads, 4 KV heads, intermediate 2816, vocabulary 1024, F32), the fine-tune planted
 *     with low-rank deltas (q_proj rank 8, v_proj rank 4 in every layer, down_proj rank 2 in even
 *     layers). The analysis runs in a child process so its peak RSS is its own (target < 2 GB).
 * (b) The optimal-partition search for a 12-layer frozen / 4-layer target MLP of width 256: a random
 *     target (every discrepancy full rank) and a target planted close to a non-uniform partition;
 *     time and how many block spectra were computed against the candidate blocks.
 * Files live in a temp folder, deleted afterwards.
 */
import { fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze } from '../../src/engine/analysis';
import { loadBackend, type BackendPreference } from '../../src/engine/backend';
import { writeSafetensors, type TensorToWrite } from '../../src/formats/safetensors';
import type { Report } from '../../src/protocol';
import { SeededRandom } from '../fixtures/makeExamples';

const DIMS = { hidden: 1024, heads: 16, kvHeads: 4, intermediate: 2816, vocab: 1024, layers: 8 };

function gaussian32(rng: SeededRandom, n: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.gaussian() * scale;
  return out;
}

/** W + U·V with U [rows, r], V [r, cols] Gaussian (scaled so the delta's σ are ≈ 0.05–0.5). */
function plantLowRank(rng: SeededRandom, w: Float32Array, rows: number, cols: number, rank: number): Float32Array {
  const u = gaussian32(rng, rows * rank, 0.02);
  const v = gaussian32(rng, rank * cols, 0.02);
  const out = Float32Array.from(w);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < rank; k++) {
      const f = u[i * rank + k]!;
      const row = i * cols;
      const vr = k * cols;
      for (let j = 0; j < cols; j++) out[row + j] += f * v[vr + j]!;
    }
  }
  return out;
}

async function writePair(dir: string): Promise<Record<string, number>> {
  const rng = new SeededRandom('analysis-bench');
  const { hidden: D, heads: H, kvHeads: Hkv, intermediate: I, vocab: V, layers } = DIMS;
  const dh = D / H;
  const base: TensorToWrite[] = [];
  const target: TensorToWrite[] = [];
  const planted: Record<string, number> = {};
  const add = (name: string, rows: number, cols: number, rank = 0): void => {
    const w = gaussian32(rng, rows * cols, 1 / Math.sqrt(cols));
    base.push({ name: `${name}.weight`, dtype: 'F32', shape: [rows, cols], data: w });
    target.push({ name: `${name}.weight`, dtype: 'F32', shape: [rows, cols], data: rank > 0 ? plantLowRank(rng, w, rows, cols, rank) : w });
    if (rank > 0) planted[name] = rank;
  };
  const vec = (name: string): void => {
    const ones = new Float32Array(D).fill(1);
    base.push({ name, dtype: 'F32', shape: [D], data: ones });
    target.push({ name, dtype: 'F32', shape: [D], data: ones });
  };
  add('model.embed_tokens', V, D);
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.self_attn.q_proj`, H * dh, D, 8);
    add(`${p}.self_attn.k_proj`, Hkv * dh, D);
    add(`${p}.self_attn.v_proj`, Hkv * dh, D, 4);
    add(`${p}.self_attn.o_proj`, D, H * dh);
    add(`${p}.mlp.gate_proj`, I, D);
    add(`${p}.mlp.up_proj`, I, D);
    add(`${p}.mlp.down_proj`, D, I, l % 2 === 0 ? 2 : 0);
    vec(`${p}.input_layernorm.weight`);
    vec(`${p}.post_attention_layernorm.weight`);
  }
  vec('model.norm.weight');
  add('lm_head', V, D);
  const config = {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: D, intermediate_size: I, num_attention_heads: H,
    num_key_value_heads: Hkv, num_hidden_layers: layers, head_dim: dh, vocab_size: V, rope_theta: 10000, tie_word_embeddings: false, torch_dtype: 'float32',
  };
  for (const [name, tensors] of [['base', base], ['target', target]] as const) {
    await fs.mkdir(path.join(dir, name), { recursive: true });
    await fs.writeFile(path.join(dir, name, 'config.json'), JSON.stringify(config));
    await writeSafetensors(path.join(dir, name, 'model.safetensors'), tensors);
  }
  return planted;
}

interface ChildResult {
  seconds: number;
  cpuSeconds: number;
  maxRssBytes: number;
  spectra: number;
  report: Pick<Report, 'backend' | 'estimatedMemoryBytes'> & { ranks: Record<string, number>; headLowerBound: number; heads: number };
}

/** Runs the analysis in a fresh process (this file with --child) and returns its timing and peak RSS. */
function analyseInChild(base: string, target: string, backend: BackendPreference): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--child', base, target, backend], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as ChildResult));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`analysis child exited with ${code}`))));
  });
}

async function childMain(base: string, target: string, backend: BackendPreference): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const report = await analyze({ base, target, backend }, { backend: () => loadBackend(backend) });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const t = report.transformer!;
  const ranks = Object.fromEntries(t.modules.filter((m) => m.deltaRank > 0).map((m) => [m.name, m.deltaRank]));
  const result: ChildResult = {
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    spectra: t.modules.filter((m) => m.singularValues.length > 0).length,
    report: { backend: report.backend, estimatedMemoryBytes: report.estimatedMemoryBytes, ranks, headLowerBound: t.headLowerBound, heads: t.heads.length },
  };
  process.send!(result, () => process.exit(0));
}

/** 12 frozen layers of width 256; 4 target layers; `close` plants target layer i near a non-uniform block product. */
async function writeMlpPair(dir: string, close: boolean): Promise<{ frozen: string; target: string }> {
  const D = 256;
  const rng = new SeededRandom(`partition-bench-${close}`);
  const frozen: Float32Array[] = Array.from({ length: 12 }, () => gaussian32(rng, D * D, 1 / Math.sqrt(D)));
  const blocks = [[0, 1], [2, 3, 4, 5, 6], [7, 8], [9, 10, 11]];
  const target = blocks.map((block) => {
    if (!close) return gaussian32(rng, D * D, 1 / Math.sqrt(D));
    // Product of the block's frozen layers (float64), plus a rank-8 perturbation.
    let p = Float64Array.from(frozen[block[0]!]!);
    for (const l of block.slice(1)) {
      const w = frozen[l]!;
      const next = new Float64Array(D * D);
      for (let i = 0; i < D; i++) for (let k = 0; k < D; k++) {
        const f = w[i * D + k]!;
        for (let j = 0; j < D; j++) next[i * D + j] += f * p[k * D + j]!;
      }
      p = next;
    }
    return plantLowRank(rng, Float32Array.from(p), D, D, 8);
  });
  const write = async (file: string, ws: Float32Array[]): Promise<void> => {
    await writeSafetensors(file, ws.flatMap((w, l) => [
      { name: `${2 * l}.weight`, dtype: 'F32' as const, shape: [D, D], data: w },
      { name: `${2 * l}.bias`, dtype: 'F32' as const, shape: [D], data: new Float32Array(D) },
    ]));
  };
  const files = { frozen: path.join(dir, `frozen-${close}.safetensors`), target: path.join(dir, `target-${close}.safetensors`) };
  await write(files.frozen, frozen);
  await write(files.target, target);
  return files;
}

export async function runAnalysisBench(log: (line: string) => void, backend: BackendPreference = 'auto'): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lora-lens-analysis-bench-'));
  try {
    let t0 = performance.now();
    const planted = await writePair(dir);
    log(`generated the 1024×8 Llama pair (${Object.keys(planted).length} planted deltas) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const r = await analyseInChild(path.join(dir, 'base'), path.join(dir, 'target'), backend);
    const exact = Object.keys(planted).length === Object.keys(r.report.ranks).length && Object.entries(planted).every(([k, v]) => r.report.ranks[k] === v);
    log(`transformer pair 1024×8: ${r.seconds.toFixed(1)} s wall, ${r.cpuSeconds.toFixed(1)} s CPU (load ${os.loadavg()[0]!.toFixed(1)}) on ${r.report.backend?.name} ${r.report.backend?.version}, ${r.spectra} delta spectra, ${r.report.heads} head gaps (max ⌈G/2⌉ ${r.report.headLowerBound}), planted ranks ${exact ? 'all exact' : 'MISMATCH'}`);
    log(`  peak RSS ${(r.maxRssBytes / 2 ** 30).toFixed(2)} GB (target < 2 GB: ${r.maxRssBytes < 2 * 2 ** 30 ? 'met' : 'MISSED'}), estimate ${(r.report.estimatedMemoryBytes / 2 ** 20).toFixed(0)} MB`);
    const b = await loadBackend(backend);
    for (const close of [false, true]) {
      const files = await writeMlpPair(dir, close);
      t0 = performance.now();
      const cpu = process.cpuUsage();
      const report = await analyze({ base: files.frozen, target: files.target }, { backend: b });
      const used = process.cpuUsage(cpu);
      const f = report.fnn!;
      log(`optimal partition, 12 frozen / 4 target, width 256, ${close ? 'target planted near [1 2] [3…7] [8 9] [10 11 12]' : 'random target'}: ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU (whole FNN analysis incl. non-singularity check)`);
      log(`  uniform ${f.uniform.partition.map((p) => `[${p.join(' ')}]`).join(' ')} → R ${f.uniform.requiredRank}; optimal ${f.best.partition.map((p) => `[${p.join(' ')}]`).join(' ')} → R ${f.best.requiredRank}; spectra computed ${f.spectraComputed} of ${f.best.candidateBlocks} candidate blocks (search asked ${f.best.oracleCalls})`);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [flag, base, target, backend] = process.argv.slice(2);
  if (flag === '--child') {
    childMain(base!, target!, (backend ?? 'auto') as BackendPreference).catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
  } else {
    runAnalysisBench((line) => console.log(line), (flag ?? 'auto') as BackendPreference).catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
  }
}
