/**
 * The read-only custom editor for `.safetensors` files: opening reads the header only; each editor
 * is a webview with a strict CSP that renders the header sent by message.
 */
import * as vscode from 'vscode';
import type { SafetensorsViewerHostMessage, SafetensorsViewerRendered } from '../../protocol';
import { SafetensorsDocument, stateMessage } from './document';
import { makeNonce, renderShell } from '../webviewShell';
import { parseWebviewMessage } from './messages';
import { RenderTracker } from './renderTracker';

export const SAFETENSORS_VIEW_TYPE = 'loraLens.safetensorsViewer';
const ANALYZE_COMMAND = 'loraLens.analyzeModel';

export class SafetensorsViewerProvider implements vscode.CustomReadonlyEditorProvider<SafetensorsDocument> {
  /** What each file's editors last rendered (the integration tests wait on it). */
  readonly renders = new RenderTracker<SafetensorsViewerRendered>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  async openCustomDocument(uri: vscode.Uri): Promise<SafetensorsDocument> {
    this.renders.forget(uri.toString());
    const document = await SafetensorsDocument.open(uri);
    document.onDidChangeState(() => this.renders.forget(uri.toString()));
    return document;
  }

  async resolveCustomEditor(document: SafetensorsDocument, panel: vscode.WebviewPanel): Promise<void> {
    const webview = panel.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    webview.html = renderShell({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'safetensorsViewer.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'safetensorsViewer.css')).toString(),
      title: 'safetensors viewer',
      loadingText: 'Reading header…',
    });

    const send = (message: SafetensorsViewerHostMessage) => void webview.postMessage(message);
    const key = document.uri.toString();
    const subscriptions: vscode.Disposable[] = [
      document.onDidChangeState((state) => send(stateMessage(state))),
      webview.onDidReceiveMessage(async (raw: unknown) => {
        const message = parseWebviewMessage(raw);
        switch (message?.type) {
          case 'safetensorsViewer/ready':
            // Also after the webview was hidden and shown again (its page is rebuilt).
            send(stateMessage(document.state));
            break;
          case 'safetensorsViewer/rendered':
            this.renders.report(key, message.rendered);
            break;
          case 'safetensorsViewer/analyze':
            await analyze(document.uri);
            break;
          case 'safetensorsViewer/reload':
            send({ type: 'safetensorsViewer/loading', file: document.uri.fsPath });
            await document.reload();
            break;
          case 'safetensorsViewer/openAsText':
            await vscode.commands.executeCommand('vscode.openWith', document.uri, 'default');
            break;
          case 'safetensorsViewer/copy':
            await vscode.env.clipboard.writeText(message.text);
            vscode.window.setStatusBarMessage('$(copy) Tensor name copied', 2000);
            break;
        }
      }),
    ];
    panel.onDidDispose(() => subscriptions.forEach((s) => s.dispose()));
  }
}

async function analyze(uri: vscode.Uri): Promise<void> {
  try {
    await vscode.commands.executeCommand(ANALYZE_COMMAND, uri);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`LoRA Lens: could not start the analysis: ${message.split('\n')[0]}`);
  }
}
