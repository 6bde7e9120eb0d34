import * as vscode from 'vscode';

export function registerThresholdCalculator(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand('loraLens.thresholdCalculator', async () => undefined));
}
