/**
 * Opening a saved report (`lora-lens analyze --format json > x.report.json`) in the panel: pick one of
 * the workspace's `*.report.json` files, read it, check it is a LoRA Lens report.
 */
import * as vscode from 'vscode';
import type { Report, ReportKind } from '../../protocol';

const KINDS: readonly ReportKind[] = ['architecture', 'fnn', 'transformer', 'adapter'];
/** Saved reports of real checkpoints are large (every singular value); refuse absurd files. */
const MAX_REPORT_BYTES = 512 * 1024 * 1024;

export class ReportFileError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ReportFileError';
  }
}

/** A parsed value that looks like a LoRA Lens Report (schema version, kind, models, the kind's section). */
export function isReport(value: unknown): value is Report {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<Report>;
  return (
    r.schemaVersion === 1 &&
    typeof r.kind === 'string' && KINDS.includes(r.kind) &&
    typeof r.models === 'object' && r.models !== null && typeof r.models.base?.source === 'string' &&
    typeof r[r.kind] === 'object' && r[r.kind] !== null
  );
}

export async function readReportFile(uri: vscode.Uri): Promise<Report> {
  const name = uri.fsPath || uri.toString();
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_REPORT_BYTES) throw new ReportFileError(name, `is ${stat.size} bytes; reports above ${MAX_REPORT_BYTES} bytes are refused`);
  const bytes = await vscode.workspace.fs.readFile(uri);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ReportFileError(name, `is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isReport(parsed)) throw new ReportFileError(name, 'is not a LoRA Lens report (expected schemaVersion 1, a kind and its section)');
  return parsed;
}

/** QuickPick of the workspace's `*.report.json` files; undefined when cancelled or none exist. */
export async function pickReportFile(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles('**/*.report.json', '**/node_modules/**', 200);
  if (files.length === 0) {
    void vscode.window.showInformationMessage(
      'LoRA Lens: no *.report.json file in the workspace. Save one with `lora-lens analyze <model> --format json > model.report.json`, or run Analyze Model.',
    );
    return undefined;
  }
  const items = files
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const choice = await vscode.window.showQuickPick(items, { title: 'LoRA Lens: Open Report', placeHolder: 'Saved analysis report (*.report.json)' });
  return choice?.uri;
}
