/**
 * Safetensors benchmark.
 * (a) Header of a sparse ~10 GB sharded checkpoint (5 shards, Llama-like layout, BF16):
 *     readCheckpointHeader must take milliseconds whatever the data size.
 * (b) Streaming a real ~2 GB F32 file with forEachTensor, in both modes (reuseBuffer and fresh
 *     arrays), against `cat file > /dev/null` (all from the page cache: caches cannot be dropped
 *     here), median of 3 interleaved rounds, with peak RSS against the largest tensor.
 * (c) F16/BF16 decoding throughput on a real 512 MB file in both modes, and decoding alone.
 * The machine is shared: the load average is logged, and the run waits (up to 10 minutes) for the
 * 1-minute load to drop to 2 or below.
 * Big files live in a temp folder and are deleted afterwards.
 */
import { spawn, execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { forEachTensor, readCheckpointHeader } from '../../src/formats/safetensors';
import { decodeBFloat16Array, decodeFloat16Array } from '../../src/formats/safetensors/halfFloat';
import { planLayout, type LayoutEntry } from '../../src/formats/safetensors/layout';

const MB = 1e6;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Bytes available in the folder's file system, from `df`. */
function availableBytes(folder: string): number {
  const out = execFileSync('df', ['-Pk', folder], { encoding: 'utf8' }).trim().split('\n');
  const fields = (out[out.length - 1] ?? '').split(/\s+/);
  return Number(fields[3]) * 1024;
}

/** Tensors of a Llama-like decoder: `layers` blocks of attention + gated MLP, embeddings and head. */
function llamaLikeTensors(layers: number, hidden: number, intermediate: number, vocab: number, dtype: string, bytes: number): LayoutEntry[] {
  const t = (name: string, shape: number[]): LayoutEntry => ({ name, dtype, shape, byteLength: shape.reduce((a, b) => a * b, bytes) });
  const list = [t('model.embed_tokens.weight', [vocab, hidden])];
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}`;
    list.push(
      t(`${p}.self_attn.q_proj.weight`, [hidden, hidden]),
      t(`${p}.self_attn.k_proj.weight`, [hidden, hidden]),
      t(`${p}.self_attn.v_proj.weight`, [hidden, hidden]),
      t(`${p}.self_attn.o_proj.weight`, [hidden, hidden]),
      t(`${p}.mlp.gate_proj.weight`, [intermediate, hidden]),
      t(`${p}.mlp.up_proj.weight`, [intermediate, hidden]),
      t(`${p}.mlp.down_proj.weight`, [hidden, intermediate]),
      t(`${p}.input_layernorm.weight`, [hidden]),
      t(`${p}.post_attention_layernorm.weight`, [hidden]),
    );
  }
  list.push(t('model.norm.weight', [hidden]), t('lm_head.weight', [vocab, hidden]));
  return list;
}

/** Writes the header for real and extends the file to its full size with ftruncate (sparse). */
async function writeSparseFile(file: string, entries: LayoutEntry[]): Promise<number> {
  const layout = planLayout(entries, { format: 'pt' });
  const handle = await fs.open(file, 'w');
  try {
    await handle.write(layout.prefix, 0, layout.prefix.length, 0);
    await handle.truncate(layout.prefix.length + layout.dataLength);
  } finally {
    await handle.close();
  }
  return layout.prefix.length + layout.dataLength;
}

/** Writes a real file: header, then every tensor's bytes from a 16 MB block of random floats. */
async function writeRealFile(file: string, entries: LayoutEntry[]): Promise<number> {
  const layout = planLayout(entries);
  const block = Buffer.alloc(16 << 20);
  randomFillSync(block);
  const asFloats = new Float32Array(block.buffer, block.byteOffset, block.length / 4);
  for (let i = 0; i < asFloats.length; i++) asFloats[i] = (asFloats[i] as number) % 1; // finite values
  const handle = await fs.open(file, 'w');
  try {
    await handle.write(layout.prefix);
    let remaining = layout.dataLength;
    while (remaining > 0) {
      const { bytesWritten } = await handle.write(block, 0, Math.min(block.length, remaining));
      remaining -= bytesWritten;
    }
  } finally {
    await handle.close();
  }
  return layout.prefix.length + layout.dataLength;
}

/** Times `cat file > /dev/null` in a child process. */
function timeCat(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('sh', ['-c', 'cat "$1" > /dev/null', 'sh', file], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(elapsedMs(start)) : reject(new Error(`cat exited with ${code}`))));
  });
}

async function benchShardedHeader(dir: string, log: (line: string) => void): Promise<void> {
  const tensors = llamaLikeTensors(24, 4096, 11008, 32000, 'BF16', 2);
  const total = tensors.reduce((sum, t) => sum + t.byteLength, 0);
  const shardCount = 5;
  const shards: LayoutEntry[][] = Array.from({ length: shardCount }, () => []);
  let filled = 0;
  for (const tensor of tensors) {
    shards[Math.min(shardCount - 1, Math.floor((filled / total) * shardCount))]!.push(tensor);
    filled += tensor.byteLength;
  }
  const weightMap: Record<string, string> = {};
  let onDisk = 0;
  for (let i = 0; i < shardCount; i++) {
    const name = `model-0000${i + 1}-of-0000${shardCount}.safetensors`;
    onDisk += await writeSparseFile(path.join(dir, name), shards[i]!);
    for (const tensor of shards[i]!) weightMap[tensor.name] = name;
  }
  await fs.writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2));

  const times: number[] = [];
  let header = await readCheckpointHeader(dir);
  for (let run = 0; run < 15; run++) {
    const start = process.hrtime.bigint();
    header = await readCheckpointHeader(dir);
    times.push(elapsedMs(start));
  }
  log(
    `(a) sparse sharded checkpoint: ${shardCount} shards, ${(onDisk / 1e9).toFixed(2)} GB, ${header.tensors.length} tensors (BF16): ` +
      `readCheckpointHeader median ${median(times).toFixed(2)} ms (min ${Math.min(...times).toFixed(2)}, max ${Math.max(...times).toFixed(2)}, 15 runs after 1 warm-up)`,
  );
}

/** 1-, 5- and 15-minute load averages as text. */
function loadText(): string {
  return os.loadavg().map((load) => load.toFixed(2)).join(', ');
}

/**
 * Waits (polling every 30 s, at most 10 minutes, or LORA_LENS_BENCH_WAIT_S seconds) for the
 * 1-minute load average to drop to 2 or below.
 */
async function waitForQuietMachine(log: (line: string) => void): Promise<void> {
  const waitSeconds = Number(process.env['LORA_LENS_BENCH_WAIT_S'] ?? 600);
  const deadline = Date.now() + (Number.isFinite(waitSeconds) ? waitSeconds : 600) * 1000;
  log(`load average before: ${loadText()} on ${os.cpus().length} CPUs`);
  while ((os.loadavg()[0] as number) > 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    log(`  waiting for load ≤ 2: ${loadText()}`);
  }
}

/** Rate in MB/s of `bytes` in `ms`. */
function rate(bytes: number, ms: number): number {
  return bytes / MB / (ms / 1000);
}

async function benchStreaming(dir: string, log: (line: string) => void): Promise<void> {
  const available = availableBytes(dir);
  // 2 GB of F32: a 32000×4096 embedding (524 MB, the largest tensor) plus 4096×4096 matrices.
  const bigTensors = available > 8e9 ? 23 : 7;
  const entries: LayoutEntry[] = [{ name: 'embed.weight', dtype: 'F32', shape: [32000, 4096], byteLength: 32000 * 4096 * 4 }];
  for (let i = 0; i < bigTensors; i++) {
    entries.push({ name: `layers.${i}.weight`, dtype: 'F32', shape: [4096, 4096], byteLength: 4096 * 4096 * 4 });
  }
  const largest = Math.max(...entries.map((e) => e.byteLength));
  const file = path.join(dir, 'stream.safetensors');
  const size = await writeRealFile(file, entries);
  try {
    log(`(b) real F32 file: ${(size / 1e9).toFixed(2)} GB, ${entries.length} tensors, largest ${(largest / MB).toFixed(0)} MB (df had ${(available / 1e9).toFixed(0)} GB free); page cache not dropped`);
    const header = await readCheckpointHeader(file);
    await timeCat(file); // warm the page cache the same way for every reader
    const modes = [
      { name: 'reuseBuffer', opts: { reuseBuffer: true } },
      { name: 'default (fresh arrays)', opts: {} },
    ];
    const times = new Map<string, number[]>([['cat', []], ...modes.map((m): [string, number[]] => [m.name, []])]);
    const rss = new Map<string, string>();
    let checksum = 0;
    // Rounds interleave the readers so that changing load from other processes hits all alike.
    for (let round = 0; round < 3; round++) {
      times.get('cat')!.push(await timeCat(file));
      for (const mode of modes) {
        const rssBefore = process.memoryUsage().rss;
        let peakRss = rssBefore;
        const start = process.hrtime.bigint();
        await forEachTensor(
          header,
          (_ref, data) => {
            checksum += (data[0] as number) + (data[data.length - 1] as number);
            peakRss = Math.max(peakRss, process.memoryUsage().rss);
          },
          mode.opts,
        );
        times.get(mode.name)!.push(elapsedMs(start));
        // Round 0 runs reuseBuffer first, in a process that has not yet made any tensor garbage.
        if (round === 0) {
          rss.set(
            mode.name,
            `before ${(rssBefore / MB).toFixed(0)} MB, sampled peak ${(peakRss / MB).toFixed(0)} MB ` +
              `(+${((peakRss - rssBefore) / MB).toFixed(0)} MB = ${((peakRss - rssBefore) / largest).toFixed(2)}× largest tensor)`,
          );
        }
      }
    }
    const catRate = rate(size, median(times.get('cat')!));
    const runs = (name: string): string => times.get(name)!.map((ms) => rate(size, ms).toFixed(0)).join(', ');
    log(`    cat > /dev/null: median ${catRate.toFixed(0)} MB/s (runs: ${runs('cat')} MB/s)`);
    for (const mode of modes) {
      const modeRate = rate(size, median(times.get(mode.name)!));
      log(`    forEachTensor ${mode.name}: median ${modeRate.toFixed(0)} MB/s = ${(modeRate / catRate).toFixed(2)}× cat (runs: ${runs(mode.name)} MB/s)`);
      log(`      RSS in round 1: ${rss.get(mode.name)}`);
    }
    log(`    process maxRSS ${((process.resourceUsage().maxRSS * 1024) / MB).toFixed(0)} MB (checksum ${checksum.toFixed(3)})`);
    // Reference for the cost of fresh memory: every tensor lands in newly mapped pages, cat reuses one buffer.
    const touchStart = process.hrtime.bigint();
    new Uint8Array(largest).fill(1);
    const touchMs = elapsedMs(touchStart);
    log(`    for scale: filling a fresh ${(largest / MB).toFixed(0)} MB buffer runs at ${rate(largest, touchMs).toFixed(0)} MB/s (page faults)`);
  } finally {
    await fs.rm(file, { force: true });
  }
}

/** Decoding alone, from memory to memory: `decode` over 32 MB of patterns into one reused output, median of 5. */
function decodeOnlyRate(decode: (patterns: Uint16Array, out: Float32Array | Float64Array) => void, float64: boolean): number {
  const patterns = new Uint16Array(16 << 20);
  for (let i = 0; i < patterns.length; i++) patterns[i] = (i * 40503) & 0xffff;
  const out = float64 ? new Float64Array(patterns.length) : new Float32Array(patterns.length);
  decode(patterns, out); // warm-up: JIT and page faults of `out`
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = process.hrtime.bigint();
    decode(patterns, out);
    times.push(elapsedMs(start));
  }
  return rate(patterns.byteLength, median(times));
}

async function benchHalfDecoding(dir: string, log: (line: string) => void): Promise<void> {
  const entries: LayoutEntry[] = [];
  for (const dtype of ['F16', 'BF16']) {
    for (let i = 0; i < 8; i++) entries.push({ name: `${dtype}.${i}`, dtype, shape: [4096, 4096], byteLength: 4096 * 4096 * 2 });
  }
  const file = path.join(dir, 'half.safetensors');
  await writeRealFile(file, entries);
  try {
    const header = await readCheckpointHeader(file);
    const bytes = 8 * 4096 * 4096 * 2;
    log(`(c) F16/BF16 decoding, MB/s of stored bytes; read + decode over a real file (8 tensors of 4096×4096 per dtype, ${(bytes / MB).toFixed(0)} MB each), median of 3 runs`);
    for (const float64 of [false, true]) {
      for (const reuseBuffer of [true, false]) {
        const ms: Record<string, number[]> = { F16: [], BF16: [] };
        for (let run = 0; run < 3; run++) {
          const total: Record<string, number> = { F16: 0, BF16: 0 };
          let last = process.hrtime.bigint();
          await forEachTensor(
            header,
            (ref) => {
              total[ref.dtype] = (total[ref.dtype] ?? 0) + elapsedMs(last);
              last = process.hrtime.bigint();
            },
            { float64, reuseBuffer },
          );
          ms['F16']!.push(total['F16']!);
          ms['BF16']!.push(total['BF16']!);
        }
        log(
          `    → ${float64 ? 'float64' : 'float32'}, ${reuseBuffer ? 'reuseBuffer' : 'default    '}: ` +
            `F16 ${rate(bytes, median(ms['F16']!)).toFixed(0)} MB/s, BF16 ${rate(bytes, median(ms['BF16']!)).toFixed(0)} MB/s`,
        );
      }
      log(
        `    → ${float64 ? 'float64' : 'float32'}, decode only (memory to memory, 32 MB): ` +
          `F16 ${decodeOnlyRate(decodeFloat16Array, float64).toFixed(0)} MB/s, BF16 ${decodeOnlyRate(decodeBFloat16Array, float64).toFixed(0)} MB/s`,
      );
    }
  } finally {
    await fs.rm(file, { force: true });
  }
}

/** Runs the three safetensors benchmarks, reporting one line per result through `log`. */
export async function runSafetensorsBench(log: (line: string) => void): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lora-lens-st-bench-'));
  try {
    await waitForQuietMachine(log);
    await benchShardedHeader(dir, log);
    await benchStreaming(dir, log);
    await benchHalfDecoding(dir, log);
    log(`load average after: ${loadText()}`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runSafetensorsBench((line) => console.log(line)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
