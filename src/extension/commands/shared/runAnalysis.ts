/**
 * Runs one `engine/analyze` request the way every analysis command does: settings → AnalyzeParams,
 * a cancellable progress notification fed by the engine's `engine/progress`, a one-line error on
 * failure, and the panel opened with the Report (through the panel's `loraLens.showReport` command).
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { AnalyzeParams, EngineMethod, EngineRequests, Report } from '../../../protocol';
import type { EngineService } from '../../engine/engineService';
import { readSettings, toleranceFromSettings } from '../../settings';
import { outputChannel } from '../../ui/output';
import { AnalysisCancelled, isCancellation, oneLineMessage } from './errors';
import { rememberReport } from './lastReport';

export const SHOW_REPORT_COMMAND = 'loraLens.showReport';

/** What the caller decides; everything else comes from the settings. */
export type AnalysisInputs = Pick<AnalyzeParams, 'base' | 'target' | 'targetDepth'> & Partial<Pick<AnalyzeParams, 'rank' | 'rankTarget'>>;

/** Options shared by every analysis command's argument form (tests, other extensions, the panel). */
export interface AnalysisCommandOptions {
  /** Open the analysis panel with the result (default true). */
  showPanel?: boolean;
  /** Cancels the analysis like the notification's Cancel button. */
  cancellation?: vscode.CancellationToken;
}

export interface AnalysisRun extends AnalysisCommandOptions {
  /** Notification title, e.g. "Analyzing tiny-llama-base". */
  title: string;
  inputs: AnalysisInputs;
}

/** The full request: the caller's inputs over the user's settings. */
export function analyzeParams(inputs: AnalysisInputs, token: string): AnalyzeParams {
  const s = readSettings();
  return {
    token,
    rank: s.rankBudget,
    rankTarget: { kind: 'energy', value: s.energyTarget },
    backend: s.backend,
    tolerance: toleranceFromSettings(s),
    memoryCapBytes: s.engine.memoryCapMB * 2 ** 20,
    ...stripUndefined(inputs),
    base: inputs.base,
  };
}

/**
 * Runs the analysis. Resolves to the Report, or undefined after a cancellation (an information
 * message) or a failure (a one-line error message).
 */
export async function runAnalysis(engine: EngineService, run: AnalysisRun): Promise<Report | undefined> {
  const token = randomUUID();
  const params = analyzeParams(run.inputs, token);
  let report: Report;
  try {
    report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `LoRA Lens: ${run.title}`, cancellable: true },
      (progress, uiToken) => requestWithProgress(engine, 'engine/analyze', params, progress, [uiToken, run.cancellation]),
    );
  } catch (error) {
    reportRunFailure(error, lowerFirst(run.title));
    return undefined;
  }
  rememberReport(report);
  if (run.showPanel !== false) await showReport(report);
  return report;
}

/**
 * Sends the request and settles as soon as any token is cancelled (the engine is told through
 * $/cancelRequest and stops on its own; the user should not wait for its acknowledgement).
 */
export async function requestWithProgress<M extends EngineMethod>(
  engine: EngineService,
  method: M,
  params: EngineRequests[M]['params'],
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  tokens: (vscode.CancellationToken | undefined)[],
): Promise<EngineRequests[M]['result']> {
  const source = new vscode.CancellationTokenSource();
  const subscriptions: vscode.Disposable[] = [source];
  const cancelled = new Promise<never>((_, reject) => {
    for (const t of tokens) {
      if (!t) continue;
      if (t.isCancellationRequested) source.cancel();
      subscriptions.push(t.onCancellationRequested(() => source.cancel()));
    }
    if (source.token.isCancellationRequested) reject(new AnalysisCancelled());
    subscriptions.push(source.token.onCancellationRequested(() => reject(new AnalysisCancelled())));
  });
  let reported = 0; // percent already shown (VS Code's progress takes increments)
  try {
    return await Promise.race([
      engine.request(method, params, source.token, (p) => {
        const percent = Math.max(0, Math.min(100, p.fraction * 100));
        const increment = percent > reported ? percent - reported : undefined;
        if (increment !== undefined) reported = percent;
        progress.report({ message: p.message, increment });
      }),
      cancelled,
    ]);
  } finally {
    for (const d of subscriptions) d.dispose();
  }
}

/** Opens (or reveals) the panel for the report. A missing panel is a warning, not a failed analysis. */
export async function showReport(report: Report): Promise<void> {
  try {
    await vscode.commands.executeCommand(SHOW_REPORT_COMMAND, report);
  } catch (error) {
    void vscode.window.showWarningMessage(`LoRA Lens: the analysis finished but the panel could not open: ${oneLineMessage(error)}`);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** How an engine run that did not finish is told: cancelled (information), or failed (error, logged). */
export function reportRunFailure(error: unknown, what: string): void {
  if (isCancellation(error)) {
    void vscode.window.showInformationMessage(`LoRA Lens: ${what} was cancelled.`);
    return;
  }
  const message = oneLineMessage(error);
  outputChannel().appendLine(`[${new Date().toISOString()}] ${what} failed: ${message}`);
  void vscode.window.showErrorMessage(`LoRA Lens: ${message}`);
}
