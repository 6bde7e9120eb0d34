/**
 * One opened `.safetensors` file: its header, read once on open (never the tensor data) and again
 * when the file changes on disk. Loading never throws: a bad file becomes an error state that the
 * editor shows as one line.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FormatError } from '../../formats/types';
import type { SafetensorsViewerHostMessage, SafetensorsViewerModel } from '../../protocol';
import { outputChannel } from '../ui/output';
import { loadViewerModel } from './loadViewerModel';

export type ViewerState =
  | { kind: 'model'; model: SafetensorsViewerModel }
  | { kind: 'error'; file: string; problem: string };

/** Waits this long after the last change on disk before reading again (writers touch files many times). */
const RELOAD_DELAY_MS = 300;

/** Reads the header of `uri`; every failure becomes an error state with a one-line problem. */
export async function loadViewerState(uri: vscode.Uri): Promise<ViewerState> {
  if (uri.scheme !== 'file') {
    return { kind: 'error', file: uri.toString(), problem: `only files on disk can be shown (this one is on '${uri.scheme}')` };
  }
  try {
    return { kind: 'model', model: await loadViewerModel(uri.fsPath) };
  } catch (error) {
    if (error instanceof FormatError) return { kind: 'error', file: error.file, problem: error.problem };
    // Not a file problem but a bug of ours: keep the details in the log, show one line.
    const message = error instanceof Error ? error.message : String(error);
    outputChannel().appendLine(`safetensors viewer: ${uri.fsPath}: ${error instanceof Error ? error.stack ?? message : message}`);
    return { kind: 'error', file: uri.fsPath, problem: `unexpected error while reading the header (${message.split('\n')[0]}); details in the LoRA Lens output` };
  }
}

/** The message that shows `state` in a webview. */
export function stateMessage(state: ViewerState): SafetensorsViewerHostMessage {
  return state.kind === 'model'
    ? { type: 'safetensorsViewer/show', model: state.model }
    : { type: 'safetensorsViewer/error', file: state.file, problem: state.problem };
}

export class SafetensorsDocument implements vscode.CustomDocument {
  private readonly changed = new vscode.EventEmitter<ViewerState>();
  /** Fires after the file was read again (changed on disk, or Reload). */
  readonly onDidChangeState = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  private constructor(readonly uri: vscode.Uri, public state: ViewerState) {
    if (uri.scheme === 'file') {
      const pattern = new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath));
      this.watcher = vscode.workspace.createFileSystemWatcher(pattern);
      const schedule = () => this.scheduleReload();
      this.watcher.onDidChange(schedule);
      this.watcher.onDidCreate(schedule);
      this.watcher.onDidDelete(schedule);
    }
  }

  static async open(uri: vscode.Uri): Promise<SafetensorsDocument> {
    return new SafetensorsDocument(uri, await loadViewerState(uri));
  }

  /** Reads the header again and tells every open editor of this file. */
  async reload(): Promise<void> {
    const state = await loadViewerState(this.uri);
    if (this.disposed) return;
    this.state = state;
    this.changed.fire(state);
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reload(), RELOAD_DELAY_MS);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.reloadTimer);
    this.watcher?.dispose();
    this.changed.dispose();
  }
}
