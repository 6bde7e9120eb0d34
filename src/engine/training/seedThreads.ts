/**
 * Validation by training on several threads, for the CLI (the engine process has its own worker pool,
 * engine/main.ts): one worker thread per seed, `jobs` at a time, merged as in seedSplit.ts.
 *
 * The worker runs THIS file (in a bundle, the bundle itself: `dist/cli.js`), recognised by its
 * `workerData.kind`; the bundle's own entry point must stay quiet off the main thread.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { BackendName, ValidationRequest, ValidationResult } from '../../protocol';
import { loadBackend, type TensorBackend } from '../backend';
import { inLanes, mergeSeedResults, splitBySeed } from './seedSplit';
import { checkValidationRequest, runValidation, type ValidationProgress } from './validation';

const WORKER_KIND = 'lora-lens-validation-seed';

interface SeedWorkerData {
  kind: typeof WORKER_KIND;
  request: ValidationRequest;
  /** The backend the main thread loaded, so every seed uses the same one. */
  backend: BackendName | null;
}

type FromSeedWorker =
  | { type: 'progress'; fraction: number; message: string }
  | { type: 'result'; result: ValidationResult }
  | { type: 'error'; message: string };

export interface SeedThreadOptions {
  /** Loaded in the calling thread (so an unavailable backend fails before any thread starts). */
  backend?: TensorBackend;
  /** Threads at once; 1 runs in this thread. */
  jobs: number;
  onProgress?: ValidationProgress;
  signal?: AbortSignal;
}

export async function runValidationOnThreads(req: ValidationRequest, options: SeedThreadOptions): Promise<ValidationResult> {
  checkValidationRequest(req);
  const parts = splitBySeed(req);
  const jobs = Math.max(1, Math.min(parts.length, Math.floor(options.jobs)));
  if (jobs === 1) return runValidation(req, { backend: options.backend, onProgress: options.onProgress, signal: options.signal });

  const started = Date.now();
  const fractions = parts.map(() => 0);
  const results: ValidationResult[] = [];
  const workers = new Set<Worker>();
  let failure: Error | undefined;
  const onAbort = (): void => {
    for (const w of workers) void w.terminate();
  };
  options.signal?.addEventListener('abort', onAbort);
  const runSeed = (s: number): Promise<ValidationResult> =>
    new Promise((resolve, reject) => {
      const data: SeedWorkerData = { kind: WORKER_KIND, request: parts[s], backend: options.backend?.name ?? null };
      const worker = new Worker(__filename, { workerData: data });
      workers.add(worker);
      const done = (settle: () => void): void => {
        workers.delete(worker);
        worker.removeAllListeners();
        void worker.terminate();
        settle();
      };
      worker.on('message', (m: FromSeedWorker) => {
        if (m.type === 'progress') {
          fractions[s] = m.fraction;
          options.onProgress?.(fractions.reduce((a, b) => a + b, 0) / parts.length, `seed ${s + 1}/${parts.length}: ${m.message}`);
        } else if (m.type === 'result') {
          done(() => resolve(m.result));
        } else {
          done(() => reject(new Error(m.message)));
        }
      });
      worker.once('error', (e) => done(() => reject(e)));
      worker.once('exit', (code) => done(() => reject(options.signal?.aborted ? options.signal.reason : new Error(`validation thread exited (${code})`))));
    });
  const settle = async (s: number): Promise<void> => {
    try {
      results[s] = await runSeed(s);
    } catch (e) {
      failure ??= e instanceof Error ? e : new Error(String(e));
      onAbort();
    }
  };
  try {
    await inLanes(parts.length, jobs, settle, () => failure !== undefined);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  options.signal?.throwIfAborted();
  if (failure) throw failure;
  options.onProgress?.(1, 'done');
  return mergeSeedResults(req, results, (Date.now() - started) / 1000);
}

/** The worker side: one seed's request, progress and the result back to the parent. */
function runSeedWorker(data: SeedWorkerData): void {
  const port = parentPort;
  if (!port) return;
  const post = (m: FromSeedWorker): void => port.postMessage(m);
  let lastSent = 0;
  const onProgress: ValidationProgress = (fraction, message) => {
    const now = Date.now();
    if (now - lastSent < 100 && fraction < 1) return;
    lastSent = now;
    post({ type: 'progress', fraction, message });
  };
  (data.backend ? loadBackend(data.backend) : Promise.resolve(undefined))
    .then((backend) => runValidation(data.request, { backend, onProgress }))
    .then(
      (result) => post({ type: 'result', result }),
      (e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
}

if (!isMainThread && (workerData as Partial<SeedWorkerData> | undefined)?.kind === WORKER_KIND) runSeedWorker(workerData as SeedWorkerData);
