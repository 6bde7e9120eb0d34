/**
 * "LoRA Lens: Export Design Review…": the last (or given) Report as Markdown, self-contained HTML,
 * JSON or a PEFT adapter_config.json. Format from a QuickPick, file from the save dialog.
 *
 * Argument form (the panel, tests): `{ report?, budget?, format?, uri?, overwrite? }`; with `uri`
 * no dialog opens. Returns the written file's Uri.
 */
import * as vscode from 'vscode';
import type { Report } from '../../protocol';
import { PeftExportError } from '../../report/peft';
import { toUri } from './shared/args';
import { DESIGN_REVIEW_FORMATS, isDesignReviewFormat, renderDesignReview, type DesignReviewFormat } from './shared/designReview';
import { oneLineMessage } from './shared/errors';
import { lastReport } from './shared/lastReport';
import { saveExport } from './shared/writeExport';

export const EXPORT_DESIGN_REVIEW_COMMAND = 'loraLens.exportDesignReview';

export interface ExportDesignReviewOptions {
  report?: Report;
  /** Rank budget the Markdown/HTML summaries use (the panel's current budget). */
  budget?: number;
  format?: DesignReviewFormat;
  uri?: vscode.Uri | string;
  overwrite?: boolean;
}

export function registerExportDesignReview(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(EXPORT_DESIGN_REVIEW_COMMAND, (options?: ExportDesignReviewOptions) => exportDesignReview(options ?? {})),
  );
}

async function exportDesignReview(options: ExportDesignReviewOptions): Promise<vscode.Uri | undefined> {
  const report = options.report ?? lastReport();
  if (!report) {
    void vscode.window.showErrorMessage('LoRA Lens: there is no report to export yet. Run Analyze Model, Compare, Plan Partition or Audit Adapter first.');
    return undefined;
  }
  const format = isDesignReviewFormat(options.format) ? options.format : await pickFormat();
  if (!format) return undefined;
  let content: string;
  try {
    content = renderDesignReview(report, format, options.budget);
  } catch (error) {
    const message = error instanceof PeftExportError ? error.message : `the ${DESIGN_REVIEW_FORMATS[format].label} report could not be written: ${oneLineMessage(error)}`;
    void vscode.window.showErrorMessage(`LoRA Lens: ${message}`);
    return undefined;
  }
  const info = DESIGN_REVIEW_FORMATS[format];
  const target = {
    uri: toUri(options.uri),
    overwrite: options.overwrite,
    title: `LoRA Lens: Export Design Review (${info.label})`,
    fileName: info.fileName(report),
    filters: info.filter,
    folder: format === 'peft' ? 'lora-lens-adapter' : undefined,
  };
  return saveExport(report, content, target, format === 'peft' ? 'lora_alpha = 2·r per module (alpha_pattern).' : undefined);
}

async function pickFormat(): Promise<DesignReviewFormat | undefined> {
  const items = (Object.keys(DESIGN_REVIEW_FORMATS) as DesignReviewFormat[]).map((format) => ({
    label: DESIGN_REVIEW_FORMATS[format].label,
    description: DESIGN_REVIEW_FORMATS[format].description,
    format,
  }));
  const choice = await vscode.window.showQuickPick(items, { title: 'LoRA Lens: Export Design Review', placeHolder: 'Format', ignoreFocusOut: true });
  return choice?.format;
}
