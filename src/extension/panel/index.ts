/**
 * The analysis panel's host side: one panel per model (key = base path + target path), the
 * `loraLens.showReport` command, and the serializer that restores panels after a reload.
 */
import * as vscode from 'vscode';
import type { AnalysisPanelRendered, AnalysisPanelState, Report } from '../../protocol';
import { maxBudget, buildRows, reportKey, reportTitle } from '../../panel/rows';
import { AnalysisPanel, ANALYSIS_VIEW_TYPE } from './analysisPanel';
import { panelOptions } from './html';
import { isReport, pickReportFile, readReportFile } from './reportFile';

export const SHOW_REPORT_COMMAND = 'loraLens.showReport';
export { ANALYSIS_VIEW_TYPE };

export interface ShowPanelOptions {
  /** One panel per key (default: base path + target path). */
  key?: string;
  title?: string;
  /** Initial rank budget (default: the panel's current one, else the `loraLens.rankBudget` setting). */
  budget?: number;
  /** Focus the panel (default true). */
  preserveFocus?: boolean;
}

export interface ShowPanelResult {
  key: string;
  /** False when an existing panel for the same model was revealed and updated. */
  created: boolean;
  /** Analysis panels open now. */
  panels: number;
  /** Resolves with the webview's next render of this report. */
  rendered: Promise<AnalysisPanelRendered>;
}

const panels = new Map<string, AnalysisPanel>();

function track(panel: AnalysisPanel): void {
  panels.set(panel.key, panel);
  panel.onDidDispose(() => {
    if (panels.get(panel.key) === panel) panels.delete(panel.key);
  });
}

/** Clamps a budget into 0…max over the report's rows; the setting's default when not a number. */
function initialBudget(report: Report, requested: number | undefined): number {
  const fallback = vscode.workspace.getConfiguration('loraLens').get<number>('rankBudget', 8);
  const value = typeof requested === 'number' && Number.isFinite(requested) ? Math.round(requested) : fallback;
  return Math.max(0, Math.min(value, maxBudget(buildRows(report))));
}

/** Opens the panel for a report, or reveals and updates the one already showing the same model. */
export function showAnalysisPanel(context: vscode.ExtensionContext, report: Report, options: ShowPanelOptions = {}): ShowPanelResult {
  const key = options.key ?? reportKey(report);
  const title = options.title ?? reportTitle(report);
  const existing = panels.get(key);
  if (existing) {
    const rendered = existing.nextRender();
    const budget = options.budget !== undefined ? initialBudget(report, options.budget) : undefined;
    existing.update({ key, title, report, budget, selected: existing.current.selected });
    existing.panel.reveal(undefined, options.preserveFocus ?? false);
    return { key, created: false, panels: panels.size, rendered };
  }
  const webviewPanel = vscode.window.createWebviewPanel(
    ANALYSIS_VIEW_TYPE,
    title,
    { viewColumn: vscode.ViewColumn.Active, preserveFocus: options.preserveFocus ?? false },
    panelOptions(context.extensionUri),
  );
  const state: AnalysisPanelState = { key, title, report, budget: initialBudget(report, options.budget) };
  const panel = new AnalysisPanel(webviewPanel, context.extensionUri, state);
  const rendered = panel.nextRender();
  track(panel);
  return { key, created: true, panels: panels.size, rendered };
}

/** Argument forms of `loraLens.showReport`: a Report, `{ report, budget?, … }`, a report file Uri, or nothing (pick a file). */
export type ShowReportArgument = Report | ({ report: Report; waitForRender?: boolean } & ShowPanelOptions) | vscode.Uri | undefined;

export interface ShowReportCommandResult {
  key: string;
  created: boolean;
  panels: number;
  /** Present when the argument asked to wait for the webview's render. */
  rendered?: AnalysisPanelRendered;
}

async function showReportCommand(context: vscode.ExtensionContext, arg: ShowReportArgument): Promise<ShowReportCommandResult | undefined> {
  let report: Report;
  let options: ShowPanelOptions = {};
  let wait = false;
  try {
    if (arg instanceof vscode.Uri) report = await readReportFile(arg);
    else if (isReport(arg)) report = arg;
    else if (arg && typeof arg === 'object' && 'report' in arg && isReport(arg.report)) {
      ({ report, waitForRender: wait = false, ...options } = arg);
    } else if (arg === undefined) {
      const uri = await pickReportFile();
      if (!uri) return undefined;
      report = await readReportFile(uri);
    } else {
      throw new Error('loraLens.showReport expects a LoRA Lens Report, { report, budget }, or a report file');
    }
  } catch (error) {
    void vscode.window.showErrorMessage(`LoRA Lens: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const result = showAnalysisPanel(context, report, options);
  const base = { key: result.key, created: result.created, panels: result.panels };
  return wait ? { ...base, rendered: await result.rendered } : base;
}

/** Restores panels after a reload from the state the webview saved (the Report, budget, selection). */
class AnalysisPanelSerializer implements vscode.WebviewPanelSerializer<AnalysisPanelState> {
  constructor(private readonly context: vscode.ExtensionContext) {}

  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: AnalysisPanelState | undefined): Promise<void> {
    if (!state || !isReport(state.report) || panels.has(state.key)) {
      // Nothing to restore (or a duplicate of an open panel): close instead of showing an empty panel.
      webviewPanel.dispose();
      return;
    }
    const restored: AnalysisPanelState = { ...state, budget: initialBudget(state.report, state.budget) };
    track(new AnalysisPanel(webviewPanel, this.context.extensionUri, restored));
  }
}

export function registerAnalysisPanel(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_REPORT_COMMAND, (arg?: ShowReportArgument) => showReportCommand(context, arg)),
    vscode.window.registerWebviewPanelSerializer(ANALYSIS_VIEW_TYPE, new AnalysisPanelSerializer(context)),
    { dispose: () => [...panels.values()].forEach((p) => p.dispose()) },
  );
}
