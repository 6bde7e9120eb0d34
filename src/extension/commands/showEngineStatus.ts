/** "LoRA Lens: Show Engine Status": backend, device, versions and memory of the analysis engine. */
import * as vscode from 'vscode';
import type { EngineStatus } from '../../protocol';
import { type EngineService, UntrustedWorkspaceError } from '../engine/engineService';
import { readSettings } from '../settings';
import { outputChannel } from '../ui/output';

export function registerShowEngineStatus(context: vscode.ExtensionContext, engine: EngineService): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('loraLens.showEngineStatus', async (): Promise<EngineStatus | undefined> => {
      try {
        const status = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: 'LoRA Lens: starting the analysis engine' },
          () => engine.request('engine/status', { loadBackend: true, backend: readSettings().backend }),
        );
        const channel = outputChannel();
        channel.appendLine(renderStatus(status));
        channel.show(true);
        void vscode.window.showInformationMessage(`LoRA Lens engine: ${statusLine(status)}`);
        return status;
      } catch (error) {
        const message = error instanceof UntrustedWorkspaceError ? error.message : `LoRA Lens: the analysis engine did not answer: ${(error as Error).message}`;
        void vscode.window.showWarningMessage(message);
        return undefined;
      }
    }),
  );
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MB`;
}

export function statusLine(s: EngineStatus): string {
  const backend = s.backend ? `${s.backend.name} ${s.backend.version} on ${s.backend.device}` : 'no tensor backend loaded';
  return `${backend}; pid ${s.pid}; ${mb(s.memory.rssBytes)} resident`;
}

export function renderStatus(s: EngineStatus): string {
  const lines = [
    'LoRA Lens analysis engine',
    `  process      pid ${s.pid}, Node.js ${s.node}, up ${s.uptimeSeconds.toFixed(1)} s`,
    `  backend      ${s.backend ? `${s.backend.name} (${s.backend.version}) on ${s.backend.device}` : 'not loaded'}`,
    ...s.attempts.map((a) => `    tried ${a.name}: ${a.error ? `unavailable (${a.error})` : 'loaded'}`),
    `  memory       resident ${mb(s.memory.rssBytes)}, JS heap ${mb(s.memory.heapUsedBytes)}, external ${mb(s.memory.externalBytes)}, tensors ${mb(s.memory.tensorBytes)}`,
  ];
  return lines.join('\n');
}
