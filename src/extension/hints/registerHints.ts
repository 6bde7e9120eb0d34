/**
 * Inline hints while editing: inlay hints, CodeLens, hovers, diagnostics and the rank_pattern quick
 * fix for Hugging Face `config.json`, PEFT `adapter_config.json` and Python files.
 */
import * as vscode from 'vscode';
import { HintsService } from './hintsService';
import { HintCodeLensProvider, HintHoverProvider, HintInlayProvider, RankPatternFixProvider } from './providers';

/** Documents that can get hints (content is checked when computing). */
export const HINT_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/config.json' },
  { scheme: 'file', pattern: '**/adapter_config.json' },
  { language: 'python' },
];

export function registerHints(context: vscode.ExtensionContext): void {
  const service = new HintsService(context.extensionPath);
  context.subscriptions.push(
    service,
    vscode.languages.registerInlayHintsProvider(HINT_SELECTOR, new HintInlayProvider(service)),
    vscode.languages.registerCodeLensProvider(HINT_SELECTOR, new HintCodeLensProvider(service)),
    vscode.languages.registerHoverProvider(HINT_SELECTOR, new HintHoverProvider(service)),
    vscode.languages.registerCodeActionsProvider(
      [{ scheme: 'file', pattern: '**/adapter_config.json' }], new RankPatternFixProvider(service), RankPatternFixProvider.metadata,
    ),
  );
}
