/**
 * The webview of "LoRA Lens: Validate by Training…": the self-contained validation page
 * (src/report/validationHtml.ts: plot with the threshold marked, table, notes), rendered in the
 * extension host. The page has no script: the webview runs none, reads no local resource, and its CSP
 * allows only the page's own stylesheet (by nonce).
 */
import * as vscode from 'vscode';
import type { ValidationResult } from '../../protocol';
import { renderValidationHtml } from '../../report/validationHtml';
import { makeNonce } from '../webviewShell';

export const VALIDATION_VIEW_TYPE = 'loraLens.validation';

/** One panel, reused for the next run (a validation is a what-if, not a document to keep). */
let current: vscode.WebviewPanel | undefined;

export function showValidationPanel(result: ValidationResult): vscode.WebviewPanel {
  const { width, frozenDepth, targetDepth } = result.request;
  const title = `LoRA Lens: validation D=${width}, L=${frozenDepth}, L̄=${targetDepth}`;
  if (!current) {
    current = vscode.window.createWebviewPanel(VALIDATION_VIEW_TYPE, title, vscode.ViewColumn.Active, {
      enableScripts: false,
      localResourceRoots: [],
      enableFindWidget: true,
    });
    const panel = current;
    panel.onDidDispose(() => {
      if (current === panel) current = undefined;
    });
  } else {
    current.title = title;
    current.reveal();
  }
  current.webview.html = renderValidationHtml(result, { nonce: makeNonce() });
  return current;
}
