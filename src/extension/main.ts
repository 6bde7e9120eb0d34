/**
 * Extension entry: wires commands and providers. Thin by design: computation lives in src/theory
 * (synchronous arithmetic) and src/engine (background process).
 */
import * as vscode from 'vscode';
import { registerThresholdCalculator } from './commands/thresholdCalculator';

export function activate(context: vscode.ExtensionContext): void {
  registerThresholdCalculator(context);
}

export function deactivate(): void {
  // Every disposable is in context.subscriptions; VS Code disposes them.
}
