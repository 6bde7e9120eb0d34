/**
 * Linear-algebra benchmark: backend matmul throughput, then singular-value spectra of random and
 * planted-rank float32 matrices, each compared with NumPy (`numpy.linalg.svd(a, compute_uv=False)` on
 * the same float32 matrix, for time) and with a float64 NumPy SVD of it (the accuracy reference).
 *
 * Run: `node out/test/bench/linalg.bench.js` (after `npm run compile-tests`). Sizes default to
 * 256,512,1024,2048,4096; override with LORA_LENS_BENCH_SIZES=256,1024 and the kinds with
 * LORA_LENS_BENCH_KINDS=random,planted.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeAttempts, describeBackend, loadBackend, measureMatmulGflops } from '../../src/engine/backend';
import { numericalRank, singularValues } from '../../src/engine/linalg';

const PLANTED_RANK = 7;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Deterministic standard normals (mulberry32 + Box–Muller). */
function gaussian(count: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const u = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float64Array(count);
  for (let k = 0; k < count; k += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const th = 2 * Math.PI * u();
    out[k] = r * Math.cos(th);
    if (k + 1 < count) out[k + 1] = r * Math.sin(th);
  }
  return out;
}

function makeMatrix(kind: string, n: number, seed: number): Float32Array {
  if (kind === 'random') return Float32Array.from(gaussian(n * n, seed));
  const r = PLANTED_RANK;
  const left = gaussian(n * r, seed);
  const right = gaussian(r * n, seed + 1);
  const a = new Float32Array(n * n);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    row.fill(0);
    for (let l = 0; l < r; l++) {
      const f = left[i * r + l] as number;
      for (let j = 0; j < n; j++) row[j] = (row[j] as number) + f * (right[l * n + j] as number);
    }
    a.set(row, i * n);
  }
  return a;
}

function numpyAvailable(): boolean {
  return spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
}

/** Times NumPy's float32 SVD (`repeats` runs) and writes the float64 reference σ next to the input. */
const NUMPY_SCRIPT = `
import json, resource, sys, time
import numpy as np
path, n, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
a = np.fromfile(path, dtype=np.float32).reshape(n, n)
times = []
for _ in range(repeats):
    t = time.perf_counter(); s32 = np.linalg.svd(a, compute_uv=False); times.append(time.perf_counter() - t)
ref = np.linalg.svd(a.astype(np.float64), compute_uv=False)
ref.tofile(path + '.ref')
err32 = float(np.max(np.abs(s32.astype(np.float64) - ref)) / ref[0]) if ref[0] > 0 else 0.0
print(json.dumps({'times': times, 'err32': err32, 'maxrss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 'numpy': np.__version__}))
`;

interface NumpyResult {
  times: number[];
  err32: number;
  maxrss_kb: number;
  numpy: string;
  ref: Float64Array;
}

function runNumpy(a: Float32Array, n: number, repeats: number, dir: string): NumpyResult {
  const file = path.join(dir, `a${n}.bin`);
  fs.writeFileSync(file, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const out = execFileSync('python3', ['-c', NUMPY_SCRIPT, file, String(n), String(repeats)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const parsed = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Omit<NumpyResult, 'ref'>;
  const bytes = fs.readFileSync(file + '.ref');
  const ref = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  fs.rmSync(file);
  fs.rmSync(file + '.ref');
  return { ...parsed, ref };
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

export async function runLinalgBench(log: (line: string) => void): Promise<void> {
  const sizes = (process.env.LORA_LENS_BENCH_SIZES ?? '256,512,1024,2048,4096').split(',').map(Number).filter((v) => v > 0);
  const kinds = (process.env.LORA_LENS_BENCH_KINDS ?? 'random,planted').split(',').filter((k) => k === 'random' || k === 'planted');
  const backend = await loadBackend('auto');
  log(`# linalg benchmark — backend ${describeBackend(backend)}`);
  log(`tried: ${describeAttempts(backend.attempts)}`);
  log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  for (const n of [256, 512, 1024, 2048]) log(`matmul float32 ${n}×${n}: ${measureMatmulGflops(backend, n).toFixed(1)} GFLOP/s (median of 3)`);

  const withNumpy = numpyAvailable();
  if (!withNumpy) log('numpy not available (python3 -c "import numpy" failed): no reference, no time ratio');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lora-lens-linalg-'));
  log('');
  log('| matrix | n | ours (median) | numpy f32 (median) | ratio | max|σ−σ₆₄|/σ₁ ours | numpy f32 | rank (F32 tol) | peak RSS node / python |');
  log('|---|---|---|---|---|---|---|---|---|');
  try {
    for (const kind of kinds) {
      for (const n of sizes) {
        const repeats = n <= 512 ? 3 : 1;
        const a = makeMatrix(kind, n, 1000 + n);
        const times: number[] = [];
        let sigma: Float64Array = new Float64Array(0);
        for (let r = 0; r < repeats; r++) {
          let lastReported = 0;
          const t0 = performance.now();
          sigma = singularValues(a, n, n, {
            backend,
            onProgress: (f) => {
              if (n >= 2048 && f - lastReported >= 0.2) {
                lastReported = f;
                log(`  … ${kind} ${n}: ${(100 * f).toFixed(0)}% after ${fmt(performance.now() - t0)}`);
              }
            },
          });
          times.push(performance.now() - t0);
        }
        const ours = median(times);
        const rank = numericalRank(sigma, { m: n, n, dtype: 'F32' }).rank;
        const rssNode = process.resourceUsage().maxRSS / 1024;
        if (!withNumpy) {
          log(`| ${kind} | ${n} | ${fmt(ours)} | – | – | – | – | ${rank} | ${rssNode.toFixed(0)} MB / – |`);
          continue;
        }
        if (n >= 2048) log(`  … ${kind} ${n}: ours done in ${fmt(ours)}, running numpy (float32 timing + float64 reference)`);
        const np = runNumpy(a, n, repeats, dir);
        let err = 0;
        for (let k = 0; k < n; k++) err = Math.max(err, Math.abs((sigma[k] as number) - (np.ref[k] as number)));
        const rel = (np.ref[0] ?? 0) > 0 ? err / (np.ref[0] as number) : err;
        const numpyMs = 1000 * median(np.times);
        log(
          `| ${kind} | ${n} | ${fmt(ours)} | ${fmt(numpyMs)} | ${(ours / numpyMs).toFixed(2)} | ${rel.toExponential(2)} | ${np.err32.toExponential(2)} | ${rank} | ${rssNode.toFixed(0)} MB / ${(np.maxrss_kb / 1024).toFixed(0)} MB |`,
        );
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  log(`tensors alive at the end: ${backend.tf.memory().numTensors}`);
}

if (require.main === module) {
  runLinalgBench((line) => console.log(line)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
