/**
 * The analysis side of an engine worker thread: receives jobs from the engine's main thread, runs
 * them with the worker's own backend (loaded once per preference), posts progress and the result.
 * Cancellation is the main thread terminating this worker.
 */
import type { MessagePort } from 'node:worker_threads';
import type { BackendPreference, ConstructionRequest, ConstructionSummary, EngineStatus, Report, ValidationRequest, ValidationResult } from '../../protocol';
import { FormatError } from '../../formats/types';
import { loadBackend, type TensorBackend } from '../backend';
import { BackendUnavailableError, type BackendAttempt } from '../backend/types';
import { TheoryInputError } from '../../theory';
import { runValidation } from '../training';
import { constructFromFiles } from '../training/constructFromFiles';
import { analyze, AnalysisInputError, type AnalyzeOptions } from './index';

export type ToWorker =
  | { type: 'analyze'; id: number; options: AnalyzeOptions }
  | { type: 'validate'; id: number; request: ValidationRequest; preference: BackendPreference }
  | { type: 'construct'; id: number; request: ConstructionRequest }
  | { type: 'load'; id: number; preference: BackendPreference };

export type FromWorker =
  | { type: 'progress'; id: number; fraction: number; message: string }
  | { type: 'backend'; id: number; backend: EngineStatus['backend']; attempts: EngineStatus['attempts']; tensorBytes: number }
  | { type: 'done'; id: number; report: Report }
  | { type: 'validated'; id: number; result: ValidationResult }
  | { type: 'constructed'; id: number; summary: ConstructionSummary }
  | { type: 'error'; id: number; kind: 'input' | 'internal'; message: string };

const attemptsOf = (a: readonly BackendAttempt[]): EngineStatus['attempts'] => a.map((x) => ({ name: x.name, ...(x.ok ? {} : { error: x.reason ?? 'failed' }) }));

export function runAnalysisWorker(port: Pick<MessagePort, 'on' | 'postMessage'>): void {
  const loaded = new Map<BackendPreference, Promise<TensorBackend>>();
  const post = (m: FromWorker): void => port.postMessage(m);

  const backendFor = async (preference: BackendPreference, id: number): Promise<TensorBackend> => {
    let p = loaded.get(preference);
    if (!p) {
      p = loadBackend(preference);
      loaded.set(preference, p);
      p.catch(() => loaded.delete(preference));
    }
    let b: TensorBackend;
    try {
      b = await p;
    } catch (e) {
      if (e instanceof BackendUnavailableError) post({ type: 'backend', id, backend: null, attempts: attemptsOf(e.attempts), tensorBytes: 0 });
      throw e;
    }
    // Another preference may have activated a different backend since: make this one active again.
    if (b.tf.getBackend() !== b.engineName) await b.tf.setBackend(b.engineName);
    post({ type: 'backend', id, backend: { name: b.name, version: b.version, device: b.device ?? 'CPU' }, attempts: attemptsOf(b.attempts), tensorBytes: b.tf.memory().numBytes });
    return b;
  };

  const fail = (id: number, e: unknown): void => {
    const input = e instanceof FormatError || e instanceof AnalysisInputError || e instanceof BackendUnavailableError || e instanceof TheoryInputError;
    const message = (e instanceof Error ? e.message : String(e)).replace(/[\r\n]+/g, ' ');
    post({ type: 'error', id, kind: input ? 'input' : 'internal', message });
  };

  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'load') {
      backendFor(msg.preference, msg.id).catch((e: unknown) => fail(msg.id, e));
      return;
    }
    let lastSent = 0;
    const onProgress = (fraction: number, message: string): void => {
      const now = Date.now();
      if (now - lastSent < 50 && fraction < 1) return;
      lastSent = now;
      post({ type: 'progress', id: msg.id, fraction, message });
    };
    if (msg.type === 'construct') {
      // Float64 TypeScript: no tensor backend.
      constructFromFiles(msg.request, { onProgress }).then(
        (summary) => post({ type: 'constructed', id: msg.id, summary }),
        (e: unknown) => fail(msg.id, e),
      );
      return;
    }
    if (msg.type === 'validate') {
      // Only the gradient methods need tensors; a construction-only run loads no backend.
      const needsBackend = msg.request.methods.some((m) => m !== 'construction');
      (needsBackend ? backendFor(msg.preference, msg.id) : Promise.resolve(undefined))
        .then((backend) => runValidation(msg.request, { backend, onProgress }))
        .then(
          (result) => post({ type: 'validated', id: msg.id, result }),
          (e: unknown) => fail(msg.id, e),
        );
      return;
    }
    analyze(msg.options, {
      backend: () => backendFor(msg.options.backend ?? 'auto', msg.id),
      onProgress,
    }).then(
      (report) => post({ type: 'done', id: msg.id, report }),
      (e: unknown) => fail(msg.id, e),
    );
  });
}
