/**
 * Computes and caches the hints of each document version, pushes diagnostics (debounced while
 * typing), and tells the providers when hints changed for reasons other than an edit (settings,
 * the base model's config.json, a new analysis).
 */
import * as vscode from 'vscode';
import { parseAdapterConfig } from '../../formats/adapter';
import { computeAdapterHints, isAdapterConfigFileName } from '../../hints/adapterHints';
import { computeConfigJsonHints, isHfConfigFileName } from '../../hints/configJsonHints';
import { KeyedDebouncer } from '../../hints/debounce';
import { computePythonHints } from '../../hints/pythonHints';
import { emptyHints, type DocumentHints, type PanelLink } from '../../hints/types';
import { readSettings } from '../settings';
import { outputChannel } from '../ui/output';
import { analysisStore } from './analysisStore';
import { BaseModelCache } from './baseModelCache';
import { toDiagnostic } from './convert';
import { PythonParsers } from './pythonParsers';

export type HintKind = 'config' | 'adapter' | 'python';

/** Diagnostics wait this long after the last keystroke. */
export const DIAGNOSTICS_DEBOUNCE_MS = 250;

interface Cached {
  version: number;
  generation: number;
  hints: Promise<DocumentHints>;
}

export class HintsService implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('loraLens');
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when every document's hints may have changed without an edit. */
  readonly onDidChange = this.changed.event;
  private readonly cache = new Map<string, Cached>();
  private readonly debouncer = new KeyedDebouncer<string>(DIAGNOSTICS_DEBOUNCE_MS);
  private readonly bases = new BaseModelCache();
  private readonly parsers: PythonParsers;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly reported = new Set<string>();
  /** Bumped when anything besides the text changes what hints say. */
  private generation = 0;

  constructor(extensionPath: string) {
    this.parsers = new PythonParsers(extensionPath);
    this.disposables.push(
      this.diagnostics, this.changed, this.bases,
      vscode.workspace.onDidOpenTextDocument((doc) => void this.refreshDiagnostics(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0 || !this.kindOf(e.document)) return;
        const doc = e.document;
        this.debouncer.schedule(doc.uri.toString(), () => void this.refreshDiagnostics(doc));
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('loraLens')) this.invalidateAll(true);
      }),
      this.bases.onDidChange(() => this.invalidateAll(false)),
      analysisStore.onDidChange(() => this.invalidateAll(false)),
    );
    for (const doc of vscode.workspace.textDocuments) void this.refreshDiagnostics(doc);
  }

  /** Which hints a document gets, if any (file names first; content is checked when computing). */
  kindOf(doc: vscode.TextDocument): HintKind | undefined {
    if (doc.languageId === 'python' || doc.fileName.endsWith('.py')) return 'python';
    if (doc.uri.scheme !== 'file') return undefined;
    if (isAdapterConfigFileName(doc.fileName)) return 'adapter';
    if (isHfConfigFileName(doc.fileName)) return 'config';
    return undefined;
  }

  /** The hints of the document's current version (computed once per version). */
  hintsFor(doc: vscode.TextDocument): Promise<DocumentHints> {
    const key = doc.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === doc.version && cached.generation === this.generation) return cached.hints;
    const hints = this.compute(doc).catch((error: unknown) => {
      this.reportOnce(error);
      return emptyHints();
    });
    this.cache.set(key, { version: doc.version, generation: this.generation, hints });
    return hints;
  }

  private async compute(doc: vscode.TextDocument): Promise<DocumentHints> {
    const kind = this.kindOf(doc);
    if (!kind) return emptyHints();
    const settings = readSettings(doc.uri);
    const link: PanelLink = { argsJson: JSON.stringify([doc.uri]) };
    switch (kind) {
      case 'config':
        return settings.hints.configJson ? computeConfigJsonHints(doc.getText(), { file: doc.fileName, link }) : emptyHints();
      case 'python': {
        if (!settings.hints.python) return emptyHints();
        const parser = await this.parsers.get(doc.uri.toString());
        // Text read after the await: the findings and the version below belong together.
        const text = doc.getText();
        return computePythonHints(parser.analyze(text), text, { targetDepthSetting: settings.targetDepth, link });
      }
      case 'adapter': {
        if (!settings.hints.adapterConfig) return emptyHints();
        const baseName = peekBaseName(doc.getText(), doc.fileName);
        const workspaceFolder = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath;
        const base = await this.bases.find(doc.fileName, baseName, settings.baseModelPath, workspaceFolder);
        const analysis = base ? analysisStore.getTransformerResult(base.folder) : undefined;
        return computeAdapterHints(doc.getText(), { file: doc.fileName, link, base, analysis });
      }
    }
  }

  /** Hints fail quietly in the editor; the reason goes to the output channel, once per message. */
  private reportOnce(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.reported.has(message)) return;
    this.reported.add(message);
    outputChannel().appendLine(`Inline hints unavailable: ${message}`);
  }

  /** Recomputes and publishes the document's diagnostics. */
  async refreshDiagnostics(doc: vscode.TextDocument): Promise<void> {
    if (!this.kindOf(doc) || doc.isClosed) return;
    const version = doc.version;
    const hints = await this.hintsFor(doc);
    // A newer edit has its own refresh coming; never publish stale ranges over it.
    if (doc.isClosed || doc.version !== version) return;
    this.diagnostics.set(doc.uri, hints.diagnostics.map(toDiagnostic));
  }

  private invalidateAll(clearBases: boolean): void {
    this.generation++;
    if (clearBases) this.bases.clear();
    this.changed.fire();
    for (const doc of vscode.workspace.textDocuments) void this.refreshDiagnostics(doc);
  }

  private forget(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    this.debouncer.cancel(key);
    this.cache.delete(key);
    this.parsers.release(key);
    this.diagnostics.delete(doc.uri);
  }

  dispose(): void {
    this.debouncer.dispose();
    this.parsers.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** `base_model_name_or_path` of an adapter text, or null when the text is not a readable adapter config. */
function peekBaseName(text: string, file: string): string | null {
  try {
    return parseAdapterConfig(text, file).baseModelNameOrPath;
  } catch {
    return null;
  }
}
