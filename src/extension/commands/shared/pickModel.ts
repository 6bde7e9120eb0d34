/**
 * Choosing a model from the Command Palette: a QuickPick of the models found in the workspace
 * (folders with a config.json or an adapter_config.json, loose .safetensors files) plus "Browse…"
 * entries that open the file dialog at the workspace folder.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';

/** 'model': a model folder or checkpoint; 'adapter': a PEFT adapter folder; 'weights': one .safetensors file. */
export type ModelKind = 'model' | 'adapter' | 'weights';

export interface DetectedModel {
  uri: vscode.Uri;
  kind: ModelKind;
  /** What was found there, for the QuickPick description. */
  detail: string;
}

const MODEL_GLOB = '**/{config.json,adapter_config.json,*.safetensors,*.safetensors.index.json}';
const EXCLUDE_GLOB = '**/{node_modules,.git,.venv,out,dist}/**';
const MAX_FILES = 2000;

/** Models in the workspace, grouped by folder, in path order. */
export async function detectModels(token?: vscode.CancellationToken): Promise<DetectedModel[]> {
  const files = await vscode.workspace.findFiles(MODEL_GLOB, EXCLUDE_GLOB, MAX_FILES, token);
  const byFolder = new Map<string, vscode.Uri[]>();
  for (const file of files) {
    const folder = path.posix.dirname(file.path);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), file]);
  }
  const found: DetectedModel[] = [];
  for (const [, folderFiles] of [...byFolder].sort(([a], [b]) => a.localeCompare(b))) {
    const names = folderFiles.map((f) => path.posix.basename(f.path));
    const folderUri = vscode.Uri.joinPath(folderFiles[0], '..');
    const weights = folderFiles.filter((f) => /\.safetensors$/i.test(f.path) && path.posix.basename(f.path) !== 'adapter_model.safetensors');
    const hasConfig = names.includes('config.json');
    if (names.includes('adapter_config.json')) {
      found.push({ uri: folderUri, kind: 'adapter', detail: names.includes('adapter_model.safetensors') ? 'PEFT adapter (config + weights)' : 'PEFT adapter config' });
    }
    if (hasConfig) {
      const sharded = names.some((n) => n.endsWith('.safetensors.index.json'));
      const what = sharded ? 'config + sharded weights' : weights.length > 0 ? 'config + weights' : 'config only (architecture)';
      found.push({ uri: folderUri, kind: 'model', detail: what });
    }
    for (const w of weights.sort((a, b) => a.path.localeCompare(b.path))) {
      // A folder's own checkpoint is already offered through the folder, except where an FNN pair needs files.
      found.push({ uri: w, kind: 'weights', detail: hasConfig ? 'weights of the folder above' : 'safetensors checkpoint' });
    }
  }
  return found;
}

export interface PickModelOptions {
  title: string;
  placeHolder: string;
  kinds: ModelKind[];
  /** Leave these out (e.g. the model already chosen). */
  exclude?: vscode.Uri[];
  /** Extra items shown first; picking one resolves to its `value`. */
  extra?: { label: string; description?: string; value: string }[];
}

interface Item extends vscode.QuickPickItem {
  action: { uri: vscode.Uri } | { browse: 'file' | 'folder' } | { extra: string };
}

/** Resolves to the chosen Uri, the chosen extra item's value, or undefined when dismissed. */
export async function pickModel(options: PickModelOptions): Promise<vscode.Uri | string | undefined> {
  const detected = await detectModels();
  const excluded = new Set((options.exclude ?? []).map((u) => u.toString()));
  const models = detected.filter((m) => options.kinds.includes(m.kind) && !excluded.has(m.uri.toString()));
  // Loose weights inside a model folder are only worth listing when whole files are asked for.
  const items: Item[] = [
    ...(options.extra ?? []).map((e): Item => ({ label: e.label, description: e.description, action: { extra: e.value } })),
    ...models
      .filter((m) => m.kind !== 'weights' || options.kinds.length === 1 || m.detail !== 'weights of the folder above')
      .map((m): Item => ({ label: `${iconFor(m.kind)} ${vscode.workspace.asRelativePath(m.uri, true)}`, description: m.detail, action: { uri: m.uri } })),
    { label: '', kind: vscode.QuickPickItemKind.Separator, action: { browse: 'file' } },
    ...(options.kinds.some((k) => k !== 'weights') ? [{ label: '$(folder-opened) Browse for a folder…', action: { browse: 'folder' as const } }] : []),
    { label: '$(file) Browse for a file…', action: { browse: 'file' } },
  ];
  const choice = await vscode.window.showQuickPick(items, {
    title: options.title,
    placeHolder: models.length > 0 ? options.placeHolder : `${options.placeHolder} (none found in the workspace: browse)`,
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!choice) return undefined;
  const action = choice.action;
  if ('uri' in action) return action.uri;
  if ('extra' in action) return action.extra;
  return browse(action.browse, options.title);
}

/** Like pickModel, without extra items: a Uri or undefined. */
export async function pickModelUri(options: Omit<PickModelOptions, 'extra'>): Promise<vscode.Uri | undefined> {
  const picked = await pickModel(options);
  return picked instanceof vscode.Uri ? picked : undefined;
}

async function browse(kind: 'file' | 'folder', title: string): Promise<vscode.Uri | undefined> {
  const uris = await vscode.window.showOpenDialog({
    title,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    canSelectFiles: kind === 'file',
    canSelectFolders: kind === 'folder',
    canSelectMany: false,
    openLabel: 'Analyze',
    ...(kind === 'file' ? { filters: { 'Models (safetensors, config.json)': ['safetensors', 'json'], 'All files': ['*'] } } : {}),
  });
  return uris?.[0];
}

function iconFor(kind: ModelKind): string {
  return kind === 'adapter' ? '$(extensions)' : kind === 'weights' ? '$(file-binary)' : '$(folder)';
}
