/**
 * The extension's single engine: created lazily, refused in Restricted Mode (an untrusted workspace
 * must not make us parse its checkpoints in a process of ours), crash reported once and restarted
 * on the next request by EngineClient.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineMethod, EngineProgress, EngineRequests } from '../../protocol';
import { EngineClient, type ProgressListener } from './engineClient';

export class UntrustedWorkspaceError extends Error {
  constructor() {
    super('LoRA Lens does not start its analysis engine in Restricted Mode. Trust this workspace to analyze checkpoints; hints from the theory still work.');
    this.name = 'UntrustedWorkspaceError';
  }
}

export class EngineService implements vscode.Disposable {
  private client: EngineClient | undefined;
  private readonly progressEmitter = new vscode.EventEmitter<EngineProgress>();
  /** Every engine/progress notification of every request (status views, tests). */
  readonly onDidProgress = this.progressEmitter.event;

  constructor(private readonly extensionPath: string) {}

  /**
   * Sends a request, starting the engine if needed. Throws UntrustedWorkspaceError in Restricted Mode.
   * `onProgress` gets the request's engine/progress notifications (matched by `params.token`).
   */
  async request<M extends EngineMethod>(
    method: M,
    params: EngineRequests[M]['params'],
    token?: vscode.CancellationToken,
    onProgress?: ProgressListener,
  ): Promise<EngineRequests[M]['result']> {
    if (!vscode.workspace.isTrusted) throw new UntrustedWorkspaceError();
    this.client ??= new EngineClient({
      enginePath: path.join(this.extensionPath, 'dist', 'engine.js'),
      onCrash: (reason) => {
        void vscode.window.showWarningMessage(`LoRA Lens: ${reason}. It will start again on the next request.`);
      },
    });
    return this.client.request(method, params, token, (progress) => {
      this.progressEmitter.fire(progress);
      onProgress?.(progress);
    });
  }

  /** Process id of the running engine, if any (for tests and the status view). */
  get pid(): number | undefined {
    return this.client?.pid;
  }

  dispose(): void {
    this.progressEmitter.dispose();
    void this.client?.dispose();
    this.client = undefined;
  }
}
