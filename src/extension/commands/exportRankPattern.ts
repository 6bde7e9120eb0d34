/**
 * "LoRA Lens: Export rank_pattern…": a PEFT adapter_config.json with `r`, `rank_pattern`,
 * `alpha_pattern` (lora_alpha = 2·r per module unless `alphaMultiplier` says otherwise) and
 * `target_modules`, from the last (or given) Report: a fine-tune comparison, an adapter audit or an
 * FNN plan. Never replaces an input file, never an existing file without a confirmation.
 *
 * Argument form: `{ report?, uri?, overwrite?, alphaMultiplier? }`; with `uri` no dialog opens.
 * Returns the written file's Uri.
 */
import * as vscode from 'vscode';
import type { Report } from '../../protocol';
import { DEFAULT_ALPHA_MULTIPLIER, PeftExportError, peftExportFromReport } from '../../report/peft';
import { toUri } from './shared/args';
import { oneLineMessage } from './shared/errors';
import { lastReport } from './shared/lastReport';
import { saveExport } from './shared/writeExport';

export const EXPORT_RANK_PATTERN_COMMAND = 'loraLens.exportRankPattern';

export interface ExportRankPatternOptions {
  report?: Report;
  uri?: vscode.Uri | string;
  overwrite?: boolean;
  alphaMultiplier?: number;
}

export function registerExportRankPattern(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(EXPORT_RANK_PATTERN_COMMAND, (options?: ExportRankPatternOptions) => exportRankPattern(options ?? {})),
  );
}

async function exportRankPattern(options: ExportRankPatternOptions): Promise<vscode.Uri | undefined> {
  const report = options.report ?? lastReport();
  if (!report) {
    void vscode.window.showErrorMessage('LoRA Lens: there is no report yet. Compare a base and a fine-tuned model, audit an adapter or plan an FNN partition first.');
    return undefined;
  }
  let content: string;
  let multiplier: number;
  try {
    const result = peftExportFromReport(report, { alphaMultiplier: options.alphaMultiplier });
    content = `${JSON.stringify(result.config, null, 2)}\n`;
    multiplier = options.alphaMultiplier ?? DEFAULT_ALPHA_MULTIPLIER;
  } catch (error) {
    void vscode.window.showErrorMessage(`LoRA Lens: ${error instanceof PeftExportError ? error.message : oneLineMessage(error)}`);
    return undefined;
  }
  const target = {
    uri: toUri(options.uri),
    overwrite: options.overwrite,
    title: 'LoRA Lens: Export rank_pattern (PEFT adapter_config.json)',
    fileName: 'adapter_config.json',
    filters: { 'PEFT adapter config': ['json'] },
    folder: 'lora-lens-adapter',
  };
  return saveExport(report, content, target, `lora_alpha = ${multiplier}·r for every module (alpha_pattern); edit it to taste.`);
}
