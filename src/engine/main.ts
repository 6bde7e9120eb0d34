/**
 * The engine process: forked by the extension (or run by tests), it owns the tensor backend and every
 * heavy computation. It speaks JSON-RPC (vscode-jsonrpc) over the Node IPC channel.
 *
 * Analyses run in worker threads of this same file (one bundle, `dist/engine.js`): a spectrum is one
 * long synchronous computation, during which no cancellation message could be read, so cancelling
 * terminates the request's worker — the request stops at once, wherever it is — and the next request
 * gets a fresh worker. One idle worker is kept warm (its backend stays loaded).
 *
 * engine/analyze: the worker loads the backend on first use (engine/status then names it), progress
 * becomes engine/progress notifications tagged with the request's token, JSON-RPC cancellation
 * answers RequestCancelled. A cancelled or failed request leaves the engine ready for the next one.
 * engine/validate (validation by training, issue 6) runs the same way: same workers, same progress,
 * same cancellation, with one job per seed on as many workers at once as there are cores (seeds are
 * independent; the merged result is what one piece would give). engine/construct (the construction on
 * the user's FNN pair, written as a PEFT adapter) runs on a worker too.
 */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { CancellationTokenSource, createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError, type CancellationToken } from 'vscode-jsonrpc/node';
import type { AnalyzeParams, BackendPreference, ConstructionSummary, EngineRequests, Report, ValidationResult } from '../protocol';
import { notificationType, requestType } from './rpc';
import { engineStatus, type BackendState } from './status';
import { runAnalysisWorker, type FromWorker, type ToWorker } from './analysis/worker';
import { checkValidationRequest } from './training/validation';
import { inLanes, mergeSeedResults, splitBySeed } from './training/seedSplit';

/** LSP's RequestCancelled code: the client sees a cancelled request, not a failure. */
const REQUEST_CANCELLED = -32800;
/** Application error code for input problems (bad file, mismatch, memory cap, backend unavailable). */
const INPUT_ERROR = 1;

type ValidateParams = EngineRequests['engine/validate']['params'];
type ConstructParams = EngineRequests['engine/construct']['params'];

const state: BackendState = { backend: null, attempts: [] };
let lastTensorBytes = 0;

/** Analysis workers: one kept idle, more started when requests overlap. */
const idle: Worker[] = [];
let nextId = 1;

function acquire(): Worker {
  return idle.pop() ?? new Worker(__filename);
}

function release(w: Worker): void {
  if (idle.length === 0) idle.push(w);
  else void w.terminate();
}

/**
 * Runs one job on a worker. `onMessage` sees every message of the job and returns a value to
 * finish with. Cancellation terminates the worker and resolves with `cancelled`.
 */
function runJob<T>(message: ToWorker, onMessage: (m: FromWorker) => T | undefined, token?: CancellationToken, cancelled?: () => T): Promise<T> {
  const worker = acquire();
  return new Promise<T>((resolve, reject) => {
    let finished = false;
    const finish = (settle: () => void, reuse: boolean): void => {
      if (finished) return;
      finished = true;
      worker.off('message', listener);
      worker.off('error', onError);
      worker.off('exit', onExit);
      subscription?.dispose();
      if (reuse) release(worker);
      settle();
    };
    const listener = (m: FromWorker): void => {
      if (m.id !== message.id) return;
      if (m.type === 'backend') {
        // A failed load (backend null) only reports what was tried; the last loaded backend stays.
        if (m.backend) {
          state.backend = m.backend;
          lastTensorBytes = m.tensorBytes;
        }
        state.attempts = m.attempts;
      }
      try {
        const value = onMessage(m);
        if (value !== undefined) finish(() => resolve(value), true);
      } catch (e) {
        finish(() => reject(e), true);
      }
    };
    const onError = (e: Error): void => finish(() => reject(e), false);
    const onExit = (code: number): void => finish(() => reject(new Error(`analysis worker exited (${code})`)), false);
    worker.on('message', listener);
    worker.once('error', onError);
    worker.once('exit', onExit);
    const subscription = token?.onCancellationRequested(() => {
      finish(() => resolve(cancelled ? cancelled() : (undefined as T)), false);
      void worker.terminate();
    });
    worker.postMessage(message);
  });
}

function main(): void {
  if (!process.send) {
    process.stderr.write('lora-lens engine: must be started with an IPC channel (child_process.fork)\n');
    process.exit(2);
  }
  state.tensorBytes = () => lastTensorBytes;
  const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
  connection.onRequest(requestType('engine/status'), async (params) => {
    if (params?.loadBackend) {
      const preference: BackendPreference = params.backend ?? 'auto';
      await runJob({ type: 'load', id: nextId++, preference }, (m) => {
        if (m.type === 'error') throw new ResponseError(INPUT_ERROR, m.message);
        return m.type === 'backend' && m.backend ? true : undefined;
      });
    }
    return engineStatus(state);
  });
  const progress = notificationType('engine/progress');
  /**
   * A long request on a worker: progress becomes engine/progress tagged with the request's token,
   * worker errors become ResponseErrors, cancellation terminates the worker (RequestCancelled).
   */
  const workerRequest = <T>(job: ToWorker, progressToken: string, resultOf: (m: FromWorker) => T | undefined, token: CancellationToken, what: string): Promise<T | ResponseError<void>> =>
    runJob<T | ResponseError<void>>(
      job,
      (m) => {
        if (m.type === 'progress') {
          void connection.sendNotification(progress, { token: progressToken, fraction: m.fraction, message: m.message });
          return undefined;
        }
        if (m.type === 'error') return new ResponseError(m.kind === 'input' ? INPUT_ERROR : -32603, m.message);
        return resultOf(m);
      },
      token,
      () => new ResponseError(REQUEST_CANCELLED, `${what} cancelled`),
    );
  connection.onRequest(requestType('engine/analyze'), (params: AnalyzeParams, token: CancellationToken) => {
    const { token: progressToken, ...options } = params;
    return workerRequest<Report>({ type: 'analyze', id: nextId++, options }, progressToken, (m) => (m.type === 'done' ? m.report : undefined), token, 'analysis');
  });
  connection.onRequest(requestType('engine/validate'), async (params: ValidateParams, token: CancellationToken) => {
    const { token: progressToken, backend, ...request } = params;
    try {
      checkValidationRequest(request);
    } catch (e) {
      return new ResponseError(INPUT_ERROR, e instanceof Error ? e.message : String(e));
    }
    // Seeds are independent: one worker per seed, as many at once as there are cores.
    const parts = splitBySeed(request);
    const started = Date.now();
    const fractions = parts.map(() => 0);
    const all = new CancellationTokenSource();
    const cancelled = token.onCancellationRequested(() => all.cancel());
    const results: ValidationResult[] = [];
    let failure: ResponseError<void> | undefined;
    const runSeed = async (s: number): Promise<void> => {
      const job: ToWorker = { type: 'validate', id: nextId++, request: parts[s], preference: backend ?? 'auto' };
      const result = await runJob<ValidationResult | ResponseError<void>>(
        job,
        (m) => {
          if (m.type === 'progress') {
            fractions[s] = m.fraction;
            const fraction = fractions.reduce((a, b) => a + b, 0) / parts.length;
            const message = parts.length > 1 ? `seed ${s + 1}/${parts.length}: ${m.message}` : m.message;
            void connection.sendNotification(progress, { token: progressToken, fraction, message });
            return undefined;
          }
          if (m.type === 'error') return new ResponseError(m.kind === 'input' ? INPUT_ERROR : -32603, m.message);
          return m.type === 'validated' ? m.result : undefined;
        },
        all.token,
        () => new ResponseError(REQUEST_CANCELLED, 'validation cancelled'),
      );
      if (result instanceof ResponseError) {
        failure ??= result;
        all.cancel();
      } else {
        results[s] = result;
      }
    };
    try {
      await inLanes(parts.length, availableParallelism(), runSeed, () => failure !== undefined);
    } finally {
      cancelled.dispose();
      all.dispose();
    }
    if (token.isCancellationRequested) return new ResponseError(REQUEST_CANCELLED, 'validation cancelled');
    return failure ?? mergeSeedResults(request, results, (Date.now() - started) / 1000);
  });
  connection.onRequest(requestType('engine/construct'), (params: ConstructParams, token: CancellationToken) => {
    const { token: progressToken, ...request } = params;
    const job: ToWorker = { type: 'construct', id: nextId++, request };
    return workerRequest<ConstructionSummary>(job, progressToken, (m) => (m.type === 'constructed' ? m.summary : undefined), token, 'construction');
  });
  // The extension host going away closes the channel: exit rather than linger as an orphan.
  connection.onClose(() => process.exit(0));
  process.on('disconnect', () => process.exit(0));
  connection.listen();
}

if (isMainThread) main();
else runAnalysisWorker(parentPort!);
