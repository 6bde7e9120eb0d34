/**
 * What the inline-hint layer produces: plain, serialisable specs in VS Code's coordinates (0-based
 * lines, UTF-16 characters, half-open ranges). `src/extension/hints` turns them into InlayHint,
 * CodeLens, Hover, Diagnostic and CodeAction objects; nothing here imports `vscode`.
 */
import type { SourcePosition, SourceRange } from '../formats/python/types';

export type { SourcePosition, SourceRange };

/** A short label shown after `position`, with a Markdown tooltip. */
export interface InlayHintSpec {
  position: SourcePosition;
  label: string;
  /** Markdown (may contain the panel's command link), built on first use: most are never shown. */
  tooltip: () => string;
}

/** A line of text above `range` (CodeLens); clicking it opens the panel. */
export interface CodeLensSpec {
  range: SourceRange;
  title: string;
  /** Plain text, shown when hovering the lens. */
  tooltip: string;
}

/** Markdown shown when hovering anywhere inside `range`. */
export interface HoverSpec {
  range: SourceRange;
  /** Built on first use (memoised): a file may have a thousand hovers and show one. */
  markdown: () => string;
}

/** One edit of the document text: replace `[offset, offset + length)` by `newText`. */
export interface TextEditSpec {
  offset: number;
  length: number;
  /** The same span as a range, for VS Code. */
  range: SourceRange;
  newText: string;
}

export interface QuickFixSpec {
  title: string;
  edit: TextEditSpec;
  /** The rank_pattern the edit writes (for tests and for the panel). */
  rankPattern: Record<string, number>;
}

/** Stable diagnostic codes (the code-action provider and tests key on them). */
export type HintDiagnosticCode =
  | 'rank-above-worst-case'
  | 'rank-full-rank-update'
  | 'full-update-cheaper'
  | 'rank-above-data-requirement'
  | 'pattern-matches-nothing'
  | 'base-model-unreadable';

export interface DiagnosticSpec {
  range: SourceRange;
  severity: 'information' | 'warning';
  code: HintDiagnosticCode;
  message: string;
  /** The quick fix that resolves this diagnostic, when there is one. */
  fix?: QuickFixSpec;
}

/** Everything LoRA Lens shows inline for one document version. */
export interface DocumentHints {
  inlays: InlayHintSpec[];
  lenses: CodeLensSpec[];
  hovers: HoverSpec[];
  diagnostics: DiagnosticSpec[];
}

export function emptyHints(): DocumentHints {
  return { inlays: [], lenses: [], hovers: [], diagnostics: [] };
}

/**
 * A data-driven result for one base/fine-tuned transformer pair, as the analysis commands store it.
 * `modules[].shape` is `[out, in]`; `deltaRank` is the numerical rank of `W_fine-tuned − W_base`.
 */
export interface TransformerAnalysisResult {
  /** The rank_pattern the analysis recommends (PEFT keys: module names or regex suffixes). */
  rankPattern: Record<string, number>;
  modules: { name: string; deltaRank: number; shape: [number, number] }[];
}

/** How hovers link to the analysis panel. */
export interface PanelLink {
  /**
   * The command's arguments as JSON, e.g. `JSON.stringify([document.uri])` (a serialised
   * `vscode.Uri` is revived into a Uri when the command runs).
   */
  argsJson: string;
}
