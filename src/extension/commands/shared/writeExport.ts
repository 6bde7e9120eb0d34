/**
 * Where an export goes and the rules for writing it: never over an input file of the report, never
 * over an existing file without a confirmation (the save dialog asks; with a given Uri the caller
 * says `overwrite: true`, or a modal asks), parent folders created as needed.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Report } from '../../../protocol';
import { oneLineMessage } from './errors';

export interface ExportTarget {
  /** Write here without a dialog. */
  uri?: vscode.Uri;
  /** true: replace an existing file; false: refuse; undefined: ask (modal). */
  overwrite?: boolean;
  /** Save dialog: title, suggested file name and filters. */
  title: string;
  fileName: string;
  filters: Record<string, string[]>;
  /** Suggested folder below the workspace folder (e.g. "lora-lens-adapter"). */
  folder?: string;
}

/** Model files a report was read from; an export must never replace one. */
const MODEL_FILE = /^(config\.json|adapter_config\.json|.*\.safetensors|.*\.safetensors\.index\.json|generation_config\.json|tokenizer.*\.json)$/i;

/** Whether writing `target` would modify a file the report was computed from. */
export function isInputFile(target: string, report: Report): boolean {
  const file = path.resolve(target);
  const name = path.basename(file);
  for (const source of [report.models.base.source, report.models.target?.source]) {
    if (!source) continue;
    const s = path.resolve(source);
    if (file === s) return true;
    // s a folder: its model files; s a file: the files read beside it (config.json, shards, index).
    if ((path.dirname(file) === s || path.dirname(file) === path.dirname(s)) && MODEL_FILE.test(name)) return true;
  }
  return false;
}

/** The Uri to write, or undefined when the user cancelled or the target is not allowed (message shown). */
export async function chooseExportTarget(report: Report, target: ExportTarget): Promise<vscode.Uri | undefined> {
  let uri = target.uri;
  let confirmed = target.overwrite === true;
  if (!uri) {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    const defaultUri = root ? vscode.Uri.joinPath(root, ...(target.folder ? [target.folder] : []), target.fileName) : undefined;
    uri = await vscode.window.showSaveDialog({ title: target.title, defaultUri, filters: target.filters, saveLabel: 'Export' });
    if (!uri) return undefined;
    confirmed = true; // the save dialog itself asks before replacing a file
  }
  if (uri.scheme === 'file' && isInputFile(uri.fsPath, report)) {
    void vscode.window.showErrorMessage(`LoRA Lens: ${uri.fsPath} is an input of this analysis; exports never modify input files. Choose another file.`);
    return undefined;
  }
  if (!confirmed && (await exists(uri))) {
    if (target.overwrite === false) {
      void vscode.window.showErrorMessage(`LoRA Lens: ${uri.fsPath} already exists; not replaced.`);
      return undefined;
    }
    const choice = await vscode.window.showWarningMessage(`${uri.fsPath} already exists. Replace it?`, { modal: true }, 'Replace');
    if (choice !== 'Replace') return undefined;
  }
  return uri;
}

export async function writeExport(uri: vscode.Uri, content: string): Promise<void> {
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
  await vscode.workspace.fs.writeFile(uri, Buffer.from(content, 'utf8'));
}

/**
 * The whole tail of an export command: choose the file (dialog or given Uri, with the rules above),
 * write it, announce it. Failures are shown, not thrown. Returns the written file, or undefined.
 */
export async function saveExport(report: Report, content: string, target: ExportTarget, detail?: string): Promise<vscode.Uri | undefined> {
  const uri = await chooseExportTarget(report, target);
  if (!uri) return undefined;
  try {
    await writeExport(uri, content);
  } catch (error) {
    void vscode.window.showErrorMessage(`LoRA Lens: could not write ${uri.fsPath}: ${oneLineMessage(error)}`);
    return undefined;
  }
  announceExport(uri, detail);
  return uri;
}

/** "Wrote X." with an Open button that opens the file (HTML in the browser, others in the editor). */
export function announceExport(uri: vscode.Uri, detail?: string): void {
  const name = vscode.workspace.asRelativePath(uri, false);
  void vscode.window.showInformationMessage(`LoRA Lens: wrote ${name}.${detail ? ` ${detail}` : ''}`, 'Open').then((choice) => {
    if (choice !== 'Open') return;
    if (uri.path.endsWith('.html')) void vscode.env.openExternal(uri);
    else void vscode.window.showTextDocument(uri);
  });
}

/** Whether a file or folder is there (stat succeeds). */
export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
