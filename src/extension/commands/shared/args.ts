/** Command arguments arrive as Explorer URIs, plain paths (tests, keybindings) or option objects. */
import * as vscode from 'vscode';

/** A file or folder given as a Uri, a `{ fsPath }`-like object or a path string; undefined otherwise. */
export function toUri(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string' && value.trim() !== '') return vscode.Uri.file(value);
  if (value && typeof value === 'object') {
    const v = value as { scheme?: unknown; fsPath?: unknown; path?: unknown };
    if (typeof v.scheme === 'string' && typeof v.path === 'string') return vscode.Uri.from(value as { scheme: string; path: string });
    if (typeof v.fsPath === 'string') return vscode.Uri.file(v.fsPath);
  }
  return undefined;
}

/** Whether the argument is an options object (not a Uri or a path). */
export function isOptions<T extends object>(value: unknown, key: keyof T & string): value is T {
  return !!value && typeof value === 'object' && !(value instanceof vscode.Uri) && key in value;
}

/** The Explorer passes (clicked, allSelected); with several selected, the list in selection order. */
export function explorerSelection(clicked: unknown, selected: unknown): vscode.Uri[] {
  const list = Array.isArray(selected) ? selected.map(toUri).filter((u): u is vscode.Uri => !!u) : [];
  if (list.length > 0) return list;
  const one = toUri(clicked);
  return one ? [one] : [];
}

/** A short name for people: the last path component. */
export function displayName(uri: vscode.Uri): string {
  const parts = uri.path.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? uri.fsPath;
}
