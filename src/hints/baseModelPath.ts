/**
 * Where the base model of an adapter lives on disk: `base_model_name_or_path` when it names a local
 * folder (absolute, or relative to the adapter's folder), else the `loraLens.baseModelPath` setting
 * (absolute, or relative to the workspace folder). Pure path logic; the caller checks the disk.
 */
import * as path from 'node:path';

export interface BaseModelCandidate {
  folder: string;
  via: 'base_model_name_or_path' | 'setting';
}

/** Candidate folders in the order they are tried. */
export function baseModelCandidates(
  adapterFile: string,
  baseNameOrPath: string | null,
  settingPath: string | null,
  workspaceFolder?: string,
): BaseModelCandidate[] {
  const out: BaseModelCandidate[] = [];
  const adapterFolder = path.dirname(adapterFile);
  if (baseNameOrPath && baseNameOrPath.trim() !== '' && !baseNameOrPath.includes('\0')) {
    out.push({ folder: path.resolve(adapterFolder, baseNameOrPath), via: 'base_model_name_or_path' });
  }
  if (settingPath && settingPath.trim() !== '' && !settingPath.includes('\0')) {
    const folder = path.resolve(workspaceFolder ?? adapterFolder, settingPath);
    if (!out.some((c) => c.folder === folder)) out.push({ folder, via: 'setting' });
  }
  return out;
}
