/**
 * A ValidationResult (validation by training, issue 6) as one self-contained HTML page: inline CSS,
 * the median-test-MSE-vs-rank plot inlined as SVG (drawn in Node through linkedom), a table per rank,
 * the notes. No script, no network; a Content-Security-Policy forbids loading anything. The same page
 * is the webview of "LoRA Lens: Validate by Training…" (with a nonce for its stylesheet).
 */
import type { ValidationCurvePoint, ValidationResult } from '../protocol';
import { escapeHtml, serializeSvg } from './html';
import { type PlotDocument } from './plots';
import { VALIDATION_MSE_FLOOR, validationPlot, validationSeries } from './plots/validationPlot';

// linkedom's package types are ESM-only (TS1479 under module node16); its CommonJS build is what runs.
const { parseHTML } = require('linkedom') as { parseHTML(markup: string): { document: unknown } };

export interface ValidationHtmlOptions {
  /**
   * Webview use: the CSP allows only the `<style>` carrying this nonce (no inline style attributes,
   * so the SVG's font comes from the stylesheet). Without it the page allows inline styles, as a file.
   */
  nonce?: string;
}

const STYLE = `
:root { color-scheme: light dark; --fg: var(--vscode-foreground, #1f2328); --muted: var(--vscode-descriptionForeground, #59636e); --line: var(--vscode-editorWidget-border, #d1d9e0); --head: var(--vscode-editorWidget-background, #f6f8fa); }
body { font: 14px/1.5 var(--vscode-font-family, system-ui, -apple-system, "Segoe UI", sans-serif); color: var(--fg); max-width: 1100px; margin: 1.5rem auto; padding: 0 1rem; }
h1 { margin-bottom: 0; } .sub, .caption { color: var(--muted); }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: right; font-variant-numeric: tabular-nums; }
th:first-child, td:first-child { text-align: left; }
thead th { background: var(--head); }
tr.threshold td { font-weight: 600; }
figure.plot { margin: 1rem 0; } figure.plot svg { max-width: 100%; height: auto; font: 11px var(--vscode-font-family, system-ui, sans-serif); overflow: visible; }
figcaption { font-weight: 600; }
footer { color: var(--muted); margin-top: 2rem; font-size: 12px; }
`;

function formatMse(value: number | undefined): string {
  if (value === undefined) return '';
  if (Number.isNaN(value)) return 'failed';
  return value === 0 ? '0' : value.toExponential(2);
}

function plotSvg(result: ValidationResult): string {
  const { document } = parseHTML('<!DOCTYPE html><html><body></body></html>');
  const svg = validationPlot(result.curves, { threshold: result.threshold, title: 'Median test MSE against LoRA rank' }, document as PlotDocument);
  return serializeSvg(svg);
}

function table(result: ValidationResult): string {
  const series = validationSeries(result.curves);
  const ranks = [...new Set(result.curves.map((c) => c.rank))].sort((a, b) => a - b);
  const cell = (points: ValidationCurvePoint[], rank: number): string => {
    const p = points.find((q) => q.rank === rank);
    if (!p) return '';
    const extra = p.method === 'final-layers' ? ` (k = ${p.tunedLayers})` : '';
    const exact = p.method === 'construction' && p.exactClaimed ? ' ✓' : '';
    return formatMse(p.medianTestMse) + extra + exact;
  };
  const head = `<tr><th>rank r</th>${series.map((s) => `<th>${escapeHtml(s.label)}</th>`).join('')}</tr>`;
  const rows = ranks.map((r) => {
    const mark = r === result.threshold ? ' (threshold)' : '';
    return `<tr${r === result.threshold ? ' class="threshold"' : ''}><td>${r}${mark}</td>${series.map((s) => `<td>${escapeHtml(cell(s.points, r))}</td>`).join('')}</tr>`;
  });
  return `<table><thead>${head}</thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** The whole document. */
export function renderValidationHtml(result: ValidationResult, options: ValidationHtmlOptions = {}): string {
  const req = result.request;
  const csp = options.nonce
    ? `default-src 'none'; style-src 'nonce-${options.nonce}'; img-src data:`
    : "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
  const nonceAttr = options.nonce ? ` nonce="${escapeHtml(options.nonce)}"` : '';
  const seeds = `${req.seeds} seed${req.seeds === 1 ? '' : 's'}`;
  const training = result.curves.some((c) => c.method !== 'construction')
    ? `<li>Adam: ${req.steps} steps of ${req.batchSize} fresh Gaussian inputs, learning rates ${escapeHtml(req.learningRates.join(', '))} (best validation MSE kept). The paper uses 5000 steps and 5 seeds.</li>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LoRA Lens: validation by training</title>
<style${nonceAttr}>${STYLE}</style>
</head>
<body>
<header>
<h1>Validation by training</h1>
<p class="sub">width D = ${req.width}, frozen depth L = ${req.frozenDepth}, target depth L̄ = ${req.targetDepth}, ${seeds}; partition ${escapeHtml(JSON.stringify(result.partition))}</p>
</header>
<main>
<section id="summary"><h2>Summary</h2><ul>
<li>Theoretical threshold: rank <strong>${result.threshold}</strong>. Rule: ${escapeHtml(result.thresholdRule)}</li>
<li>Frozen model without adaptation: median test MSE ${formatMse(result.baselineMedianTestMse)}.</li>
${training}
<li>Backend: ${escapeHtml(result.backend ? `${result.backend.name} ${result.backend.version}` : 'none (construction only, float64)')}; ${result.trainingSteps} training steps in ${result.seconds.toFixed(1)} s.</li>
</ul></section>
<section id="figures"><h2>Plot</h2>
<figure class="plot"><figcaption>Median test MSE against LoRA rank (log scale)</figcaption>${plotSvg(result)}<p class="caption">The red dashed rule is the theoretical threshold. Values below ${VALIDATION_MSE_FLOOR.toExponential(0)} are drawn at it. Each point is the median over seeds.</p></figure>
</section>
<section id="table"><h2>Median test MSE per rank</h2>
${table(result)}
<p class="caption">✓: the construction claims exactness at this rank (tunable biases, rank ≥ threshold).</p>
</section>
<section id="notes"><h2>Notes</h2><ul>${result.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul></section>
</main>
<footer>Generated by LoRA Lens. Theory: Zeng &amp; Lee, “The Expressive Power of Low-Rank Adaptation”, ICLR 2024.</footer>
</body>
</html>
`;
}
