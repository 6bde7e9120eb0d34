/**
 * Colours and type of every figure: VS Code's theme variables, each with a fallback so the standalone
 * HTML report (no VS Code around it) still reads well on a light page. Text and axes use
 * `currentColor`, so they follow whatever colour the surrounding page gives them.
 */
export const colors = {
  primary: 'var(--vscode-charts-blue, #3794ff)',
  secondary: 'var(--vscode-charts-orange, #d18616)',
  threshold: 'var(--vscode-charts-red, #e5484d)',
  budget: 'var(--vscode-charts-green, #2f9e44)',
  accent: 'var(--vscode-charts-purple, #9b59b6)',
  muted: 'var(--vscode-descriptionForeground, #717171)',
  grid: 'var(--vscode-editorWidget-border, #c8c8c8)',
  /** Behind text halos (Plot's `--plot-background`). */
  background: 'var(--vscode-editor-background, #ffffff)',
} as const;

/** Inline style of every `<svg>`: theme font, transparent background, halos in the editor colour. */
export const svgStyle: Readonly<Record<string, string>> = {
  'font-family': 'var(--vscode-font-family, system-ui, sans-serif)',
  'font-size': '11px',
  background: 'transparent',
  overflow: 'visible',
  '--plot-background': colors.background,
};

/**
 * Applies {@link svgStyle} through the CSSOM (`style.setProperty`), not a `style` attribute: a webview's
 * CSP blocks style attributes set from script but not CSSOM writes, and linkedom supports both.
 * (Plot's own `style` option assigns `element.style = string`, which linkedom cannot do.)
 */
export function themeSvg<T>(svg: T): T {
  const style = (svg as { style?: { setProperty(name: string, value: string): void } }).style;
  if (style) for (const [name, value] of Object.entries(svgStyle)) style.setProperty(name, value);
  return svg;
}

/** Default figure size in CSS pixels (the panel passes its container's width). */
export const defaultSize = { width: 560, height: 260 } as const;

/** Compact numbers for axis ticks and labels: 1.2e-7, 0.034, 12.5k, 3.4M. */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trim(value / 1e9)}G`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  if (abs >= 0.01) return trim(value);
  return value.toExponential(1).replace('e-', 'e−');
}

function trim(value: number): string {
  return Number(value.toPrecision(3)).toString();
}
