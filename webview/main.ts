/**
 * Browser code of the analysis panel (bundled to dist/webview.js). Restores from the saved state at
 * once (so a reload shows the panel before the extension answers), then follows the extension's
 * messages. All rendering is in ./panel.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { AnalysisPanelState, HostToPanel, PanelToHost } from '../src/protocol';
import { PanelApp } from './panel/app';

interface VsCodeApi {
  postMessage(message: PanelToHost): void;
  getState(): AnalysisPanelState | undefined;
  setState(state: AnalysisPanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('app');

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  vscode.postMessage({ type: 'panel/error', message });
  if (root) {
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = `The panel could not render this report: ${message}`;
    root.replaceChildren(p);
    root.dataset.state = 'error';
  }
}

if (root) {
  const app = new PanelApp(root, {
    saveState: (state) => vscode.setState(state),
    rendered: (rendered) => vscode.postMessage({ type: 'panel/rendered', rendered }),
    export: (format) => vscode.postMessage({ type: 'panel/export', format }),
  });
  window.addEventListener('message', (event: MessageEvent<HostToPanel>) => {
    const message = event.data;
    try {
      if (message?.type === 'panel/show') app.show(message.state);
      else if (message?.type === 'panel/setBudget') app.setBudget(message.budget);
    } catch (error) {
      fail(error);
    }
  });
  const saved = vscode.getState();
  if (saved?.report) {
    try {
      app.show(saved);
    } catch (error) {
      fail(error);
    }
  }
  vscode.postMessage({ type: 'panel/ready' });
}
