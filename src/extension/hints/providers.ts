/** Inlay hints, CodeLens, hovers and the rank_pattern quick fix, all served from HintsService. */
import * as vscode from 'vscode';
import { PANEL_COMMAND } from '../../hints/markdown';
import type { InlayHintSpec } from '../../hints/types';
import type { HintsService } from './hintsService';
import { DIAGNOSTIC_SOURCE, toPosition, toRange, trustedMarkdown } from './convert';

export class HintInlayProvider implements vscode.InlayHintsProvider {
  readonly onDidChangeInlayHints: vscode.Event<void>;
  /** Tooltips are built in resolveInlayHint, only for the hint the user points at. */
  private readonly specs = new WeakMap<vscode.InlayHint, InlayHintSpec>();
  constructor(private readonly service: HintsService) {
    this.onDidChangeInlayHints = service.onDidChange;
  }

  async provideInlayHints(doc: vscode.TextDocument, range: vscode.Range): Promise<vscode.InlayHint[]> {
    const hints = await this.service.hintsFor(doc);
    return hints.inlays
      .filter((h) => range.contains(toPosition(h.position)))
      .map((h) => {
        const hint = new vscode.InlayHint(toPosition(h.position), h.label);
        hint.paddingLeft = true;
        this.specs.set(hint, h);
        return hint;
      });
  }

  resolveInlayHint(hint: vscode.InlayHint): vscode.InlayHint {
    const spec = this.specs.get(hint);
    if (spec) hint.tooltip = trustedMarkdown(spec.tooltip());
    return hint;
  }
}

export class HintCodeLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;
  constructor(private readonly service: HintsService) {
    this.onDidChangeCodeLenses = service.onDidChange;
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const hints = await this.service.hintsFor(doc);
    return hints.lenses.map((l) => new vscode.CodeLens(toRange(l.range), {
      title: l.title, tooltip: l.tooltip, command: PANEL_COMMAND, arguments: [doc.uri],
    }));
  }
}

export class HintHoverProvider implements vscode.HoverProvider {
  constructor(private readonly service: HintsService) {}

  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const hints = await this.service.hintsFor(doc);
    const hit = hints.hovers.find((h) => toRange(h.range).contains(position));
    return hit ? new vscode.Hover(trustedMarkdown(hit.markdown()), toRange(hit.range)) : undefined;
  }
}

export class RankPatternFixProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };
  constructor(private readonly service: HintsService) {}

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
    const version = doc.version;
    const hints = await this.service.hintsFor(doc);
    if (doc.version !== version) return [];
    const withFix = hints.diagnostics.filter((d) => d.fix && toRange(d.range).intersection(range));
    if (withFix.length === 0) return [];
    const fix = withFix[0]!.fix!;
    const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    action.edit = new vscode.WorkspaceEdit();
    action.edit.replace(doc.uri, toRange(fix.edit.range), fix.edit.newText);
    action.diagnostics = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && withFix.some((s) => s.code === d.code && toRange(s.range).isEqual(d.range)));
    action.isPreferred = true;
    return [action];
  }
}
