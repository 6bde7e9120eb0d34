/**
 * One analysis panel (webview `loraLens.analysis`) showing one Report. The host owns the state the
 * panel was opened with; the webview owns the interaction (budget, selection, sort) and reports it
 * back, so exports use what the person sees.
 */
import * as vscode from 'vscode';
import type { AnalysisPanelRendered, AnalysisPanelState, HostToPanel, PanelExportFormat, PanelToHost } from '../../protocol';
import { panelHtml, panelOptions } from './html';

export const ANALYSIS_VIEW_TYPE = 'loraLens.analysis';
const EXPORT_DESIGN_REVIEW = 'loraLens.exportDesignReview';
const EXPORT_RANK_PATTERN = 'loraLens.exportRankPattern';

export class AnalysisPanel implements vscode.Disposable {
  private state: AnalysisPanelState;
  private lastRendered: AnalysisPanelRendered | undefined;
  private renderWaiters: ((r: AnalysisPanelRendered) => void)[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  /** Fires once, when the person closes the panel (or it is disposed). */
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    state: AnalysisPanelState,
  ) {
    this.state = state;
    panel.title = state.title;
    panel.webview.options = panelOptions(extensionUri);
    panel.webview.html = panelHtml(panel.webview, extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: PanelToHost) => this.onMessage(message)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get key(): string {
    return this.state.key;
  }

  get current(): AnalysisPanelState {
    return this.state;
  }

  get rendered(): AnalysisPanelRendered | undefined {
    return this.lastRendered;
  }

  /** Shows a (new) report in this panel; keeps the current budget unless one is given. */
  update(state: Omit<AnalysisPanelState, 'budget'> & { budget?: number }): void {
    this.state = { ...this.state, ...state, budget: state.budget ?? this.state.budget };
    this.panel.title = this.state.title;
    void this.post({ type: 'panel/show', state: this.state });
  }

  /** Resolves with the next 'rendered' report from the webview. */
  nextRender(): Promise<AnalysisPanelRendered> {
    return new Promise((resolve) => this.renderWaiters.push(resolve));
  }

  private post(message: HostToPanel): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  private onMessage(message: PanelToHost): void {
    switch (message?.type) {
      case 'panel/ready':
        void this.post({ type: 'panel/show', state: this.state });
        break;
      case 'panel/rendered': {
        this.lastRendered = message.rendered;
        this.state = { ...this.state, budget: message.rendered.budget, selected: message.rendered.selected };
        const waiters = this.renderWaiters;
        this.renderWaiters = [];
        for (const resolve of waiters) resolve(message.rendered);
        break;
      }
      case 'panel/budget':
        if (Number.isInteger(message.budget) && message.budget >= 0) this.state = { ...this.state, budget: message.budget };
        break;
      case 'panel/select':
        this.state = { ...this.state, selected: String(message.id) };
        break;
      case 'panel/export':
        void this.export(message.format);
        break;
      case 'panel/error':
        void vscode.window.showErrorMessage(`LoRA Lens panel: ${String(message.message).slice(0, 500)}`);
        break;
    }
  }

  private async export(format: PanelExportFormat): Promise<void> {
    const { report, budget } = this.state;
    try {
      if (format === 'peft') await vscode.commands.executeCommand(EXPORT_RANK_PATTERN, { report });
      else await vscode.commands.executeCommand(EXPORT_DESIGN_REVIEW, { report, budget, format });
    } catch (error) {
      void vscode.window.showErrorMessage(`LoRA Lens: export failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.panel.dispose();
  }
}
