/**
 * The analysis panel's webview options and HTML shell (webviewShell.ts): the bundled script and the
 * stylesheet from the extension, no remote content. Everything else is built by the script with DOM
 * APIs, so no model string ever passes through HTML parsing.
 */
import * as vscode from 'vscode';
import { makeNonce, renderShell } from '../webviewShell';

/** Webview options: scripts on, and only the bundle and media folders readable. */
export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    enableFindWidget: true,
  };
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  // Plot styles its SVG through the CSSOM (allowed); its <style> elements are dropped by the script.
  return renderShell({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css')).toString(),
    nonce: makeNonce(),
    title: 'LoRA Lens analysis',
    loadingText: 'Loading the analysis…',
    images: true,
  });
}
