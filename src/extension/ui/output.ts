import * as vscode from 'vscode';

let channel: vscode.OutputChannel | undefined;

/** The one "LoRA Lens" output channel, created on first use and disposed with the extension. */
export function outputChannel(): vscode.OutputChannel {
  channel ??= vscode.window.createOutputChannel('LoRA Lens');
  return channel;
}

export function disposeOutputChannel(): void {
  channel?.dispose();
  channel = undefined;
}
