/**
 * The extension's handle on the engine process: forks `dist/engine.js` on first use, sends typed
 * requests, and when the process dies (crash, OOM, killed) reports it and forks a fresh one on the
 * next request. Nothing heavier than message passing runs in the extension host.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { CancellationTokenSource, createMessageConnection, IPCMessageReader, IPCMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { EngineMethod, EngineProgress, EngineRequests } from '../../protocol';
import { notificationType, requestType } from '../../engine/rpc';

/** Receives the `engine/progress` notifications of one request. */
export type ProgressListener = (progress: EngineProgress) => void;

export interface EngineClientOptions {
  enginePath: string;
  /** Called once per unexpected exit, with a one-line reason. */
  onCrash(reason: string): void;
  execArgv?: string[];
}

interface Running {
  child: ChildProcess;
  connection: MessageConnection;
  exited: Promise<void>;
}

export class EngineClient {
  private running: Running | undefined;
  private stopping = false;
  /** Progress listeners by request token (AnalyzeParams.token). */
  private readonly progressListeners = new Map<string, ProgressListener>();

  constructor(private readonly options: EngineClientOptions) {}

  get pid(): number | undefined {
    return this.running?.child.pid;
  }

  /**
   * Sends one request. `cancel` forwards a cancellation to the engine ($/cancelRequest); `onProgress`
   * receives the engine/progress notifications whose token equals `params.token` (when params has one).
   */
  async request<M extends EngineMethod>(
    method: M,
    params: EngineRequests[M]['params'],
    cancel?: { onCancellationRequested(cb: () => void): unknown },
    onProgress?: ProgressListener,
  ): Promise<EngineRequests[M]['result']> {
    const running = this.start();
    const source = new CancellationTokenSource();
    const subscription = cancel?.onCancellationRequested(() => source.cancel());
    const progressToken = onProgress ? tokenOf(params) : undefined;
    if (progressToken !== undefined && onProgress) this.progressListeners.set(progressToken, onProgress);
    const died = running.exited.then(() => {
      throw new Error('the analysis engine stopped before answering; it will restart on the next request');
    });
    try {
      return await Promise.race([running.connection.sendRequest(requestType(method), params, source.token), died]);
    } finally {
      if (progressToken !== undefined) this.progressListeners.delete(progressToken);
      disposeIfPossible(subscription);
      source.dispose();
    }
  }

  private start(): Running {
    if (this.running) return this.running;
    const child = fork(this.options.enginePath, [], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: this.options.execArgv ?? [],
    });
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-2000);
    });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.onNotification(notificationType('engine/progress'), (progress) => {
      this.progressListeners.get(progress.token)?.(progress);
    });
    connection.listen();
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        connection.dispose();
        if (this.running?.child === child) this.running = undefined;
        if (!this.stopping) {
          const last = stderrTail.trim().split('\n').pop() ?? '';
          this.options.onCrash(`the analysis engine stopped (${signal ?? `exit code ${code}`})${last ? `: ${last}` : ''}`);
        }
        resolve();
      });
    });
    this.running = { child, connection, exited };
    return this.running;
  }

  /** Stops the process (used on deactivate and in tests). */
  async dispose(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.stopping = true;
    running.child.kill();
    await running.exited;
    this.stopping = false;
  }
}

function tokenOf(params: unknown): string | undefined {
  const token = (params as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' ? token : undefined;
}

function disposeIfPossible(value: unknown): void {
  const d = value as { dispose?: unknown } | undefined;
  if (d && typeof d.dispose === 'function') (d as { dispose(): void }).dispose();
}
