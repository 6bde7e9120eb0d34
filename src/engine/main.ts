/**
 * The engine process: forked by the extension (or run by tests), it owns the tensor backend and every
 * heavy computation. It speaks JSON-RPC (vscode-jsonrpc) over the Node IPC channel.
 *
 * engine/analyze: loads the backend on first use (engine/status then names it), streams
 * engine/progress notifications tagged with the request's token, and maps JSON-RPC cancellation to
 * the analysis's AbortSignal. A cancelled or failed request leaves the engine ready for the next one.
 */
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError, type CancellationToken } from 'vscode-jsonrpc/node';
import type { AnalyzeParams, BackendPreference, Report } from '../protocol';
import { analyze, AnalysisCancelledError, AnalysisInputError } from './analysis';
import { loadBackend, type TensorBackend } from './backend';
import { BackendUnavailableError } from './backend/types';
import { LinalgCancelledError } from './linalg';
import { FormatError } from '../formats/types';
import { notificationType, requestType } from './rpc';
import { engineStatus, type BackendState } from './status';

/** LSP's RequestCancelled code: the client sees a cancelled request, not a failure. */
const REQUEST_CANCELLED = -32800;
/** Application error codes for input problems (one line for people). */
const INPUT_ERROR = 1;

const state: BackendState = { backend: null, attempts: [] };
const loaded = new Map<BackendPreference, Promise<TensorBackend>>();

/** Loads (once per preference) and activates a backend, recording what was tried for engine/status. */
async function backendFor(preference: BackendPreference): Promise<TensorBackend> {
  let p = loaded.get(preference);
  if (!p) {
    p = loadBackend(preference).then(
      (b) => b,
      (e: unknown) => {
        loaded.delete(preference);
        if (e instanceof BackendUnavailableError) state.attempts = e.attempts.map((a) => ({ name: a.name, ...(a.ok ? {} : { error: a.reason ?? 'failed' }) }));
        throw e;
      },
    );
    loaded.set(preference, p);
  }
  const b = await p;
  // Another preference may have activated a different backend since: make this one active again.
  if (b.tf.getBackend() !== b.engineName) await b.tf.setBackend(b.engineName);
  state.backend = { name: b.name, version: b.version, device: b.device ?? 'CPU' };
  state.attempts = b.attempts.map((a) => ({ name: a.name, ...(a.ok ? {} : { error: a.reason ?? 'failed' }) }));
  state.tensorBytes = () => b.tf.memory().numBytes;
  return b;
}

function main(): void {
  if (!process.send) {
    process.stderr.write('lora-lens engine: must be started with an IPC channel (child_process.fork)\n');
    process.exit(2);
  }
  const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
  connection.onRequest(requestType('engine/status'), async (params) => {
    if (params?.loadBackend) await backendFor(params.backend ?? 'auto');
    return engineStatus(state);
  });
  connection.onRequest(requestType('engine/analyze'), async (params: AnalyzeParams, token: CancellationToken): Promise<Report | ResponseError<void>> => {
    const abort = new AbortController();
    const listener = token.onCancellationRequested(() => abort.abort());
    let lastSent = 0;
    const progress = notificationType('engine/progress');
    try {
      const { token: progressToken, ...options } = params;
      return await analyze(options, {
        backend: () => backendFor(params.backend ?? 'auto'),
        signal: abort.signal,
        onProgress: (fraction, message) => {
          const now = Date.now();
          if (now - lastSent < 50 && fraction < 1) return;
          lastSent = now;
          void connection.sendNotification(progress, { token: progressToken, fraction, message });
        },
      });
    } catch (e) {
      if (e instanceof AnalysisCancelledError || e instanceof LinalgCancelledError || abort.signal.aborted) {
        return new ResponseError(REQUEST_CANCELLED, 'analysis cancelled');
      }
      if (e instanceof FormatError || e instanceof AnalysisInputError || e instanceof BackendUnavailableError) {
        return new ResponseError(INPUT_ERROR, e.message.replace(/[\r\n]+/g, ' '));
      }
      throw e;
    } finally {
      listener.dispose();
    }
  });
  // The extension host going away closes the channel: exit rather than linger as an orphan.
  connection.onClose(() => process.exit(0));
  process.on('disconnect', () => process.exit(0));
  connection.listen();
}

main();
