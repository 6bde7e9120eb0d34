/**
 * Finds and reads the base model of an adapter (its `config.json`), cached per folder and
 * invalidated by a file watcher when that config.json is created, changed or deleted.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readHfConfig, type HfConfig } from '../../formats/config';
import { FormatError } from '../../formats/types';
import type { BaseModelInfo } from '../../hints/adapterHints';
import { baseModelCandidates } from '../../hints/baseModelPath';

type Entry = { config: HfConfig } | { error: string };

export class BaseModelCache implements vscode.Disposable {
  private readonly entries = new Map<string, Promise<Entry>>();
  private readonly watchers = new Map<string, vscode.Disposable>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the folder whose config.json changed on disk. */
  readonly onDidChange = this.changed.event;

  /** The first candidate folder that exists, with its config (or the reason it is unusable). */
  async find(adapterFile: string, baseNameOrPath: string | null, settingPath: string | null, workspaceFolder?: string): Promise<BaseModelInfo | undefined> {
    for (const candidate of baseModelCandidates(adapterFile, baseNameOrPath, settingPath, workspaceFolder)) {
      if (!(await isFolder(candidate.folder))) continue;
      const entry = await this.read(candidate.folder);
      return 'config' in entry ? { ...candidate, config: entry.config } : { ...candidate, error: entry.error };
    }
    return undefined;
  }

  private read(folder: string): Promise<Entry> {
    let entry = this.entries.get(folder);
    if (!entry) {
      entry = readHfConfig(path.join(folder, 'config.json')).then(
        (config): Entry => ({ config }),
        (e: unknown): Entry => ({ error: e instanceof FormatError ? `config.json ${e.problem}` : String(e) }),
      );
      this.entries.set(folder, entry);
      this.watch(folder);
    }
    return entry;
  }

  private watch(folder: string): void {
    if (this.watchers.has(folder)) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(folder), 'config.json'));
    const invalidate = () => {
      this.entries.delete(folder);
      this.changed.fire(folder);
    };
    watcher.onDidChange(invalidate);
    watcher.onDidCreate(invalidate);
    watcher.onDidDelete(invalidate);
    this.watchers.set(folder, watcher);
  }

  /** Drops every cached config (after a settings change, say). */
  clear(): void {
    this.entries.clear();
  }

  dispose(): void {
    for (const w of this.watchers.values()) w.dispose();
    this.watchers.clear();
    this.entries.clear();
    this.changed.dispose();
  }
}

async function isFolder(folder: string): Promise<boolean> {
  return fs.stat(folder).then((s) => s.isDirectory(), () => false);
}
