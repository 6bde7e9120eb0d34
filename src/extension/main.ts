/**
 * Extension entry: wires commands and providers. Thin by design: computation lives in src/theory
 * (synchronous arithmetic) and src/engine (background process).
 */
import * as vscode from 'vscode';
import { registerThresholdCalculator } from './commands/thresholdCalculator';
import { disposeOutputChannel } from './ui/output';

export function activate(context: vscode.ExtensionContext): void {
  registerThresholdCalculator(context);
  context.subscriptions.push({ dispose: disposeOutputChannel });
}

export function deactivate(): void {
  // Every disposable is in context.subscriptions; VS Code disposes them.
}
