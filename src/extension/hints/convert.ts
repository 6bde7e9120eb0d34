/** Hint specs (src/hints) → VS Code objects. */
import * as vscode from 'vscode';
import { PANEL_COMMAND } from '../../hints/markdown';
import type { DiagnosticSpec, SourcePosition, SourceRange } from '../../hints/types';

export const DIAGNOSTIC_SOURCE = 'LoRA Lens';

export function toPosition(p: SourcePosition): vscode.Position {
  return new vscode.Position(p.line, p.character);
}

export function toRange(r: SourceRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** Markdown whose only enabled command is the panel link. */
export function trustedMarkdown(text: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(text);
  md.isTrusted = { enabledCommands: [PANEL_COMMAND] };
  return md;
}

export function toDiagnostic(spec: DiagnosticSpec): vscode.Diagnostic {
  const d = new vscode.Diagnostic(
    toRange(spec.range), spec.message,
    spec.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information,
  );
  d.source = DIAGNOSTIC_SOURCE;
  d.code = spec.code;
  return d;
}
