/**
 * Self-contained HTML design review: one file with inline CSS and the panel's plots inlined as SVG
 * (rendered in Node through linkedom by the shared plot functions), no script, no network, no
 * external stylesheet. A Content-Security-Policy forbids loading anything even if a string slipped
 * through. Every string that comes from a model file (module names, paths, notes) is escaped: the
 * only unescaped markup is what this file writes and the plot functions' SVG.
 */
import type { Report } from '../protocol';
import { KIND_TITLE, reportRankPattern, reportSections, summaryFacts, type Table } from './text';
import { errorVsRankPlot, paramsVsErrorPlot, partitionPlanFigure, spectrumPlot, type PlotDocument } from './plots';

// linkedom's package types are ESM-only (TS1479 under module node16); its CommonJS build is what runs.
const { parseHTML } = require('linkedom') as { parseHTML(markup: string): { document: unknown } };

/** One figure of the report: a title and the SVG (or figure) markup a plot function produced. */
export interface ReportFigure {
  title: string;
  /** Safe markup of an `<svg>` element (from `serializeSvg` or `sanitizeSvg`). */
  svg: string;
  caption?: string;
}

/**
 * Draws the report's figures at the given budget into `document` (a linkedom document).
 * The shared plot functions in src/report/plots are adapted to this shape by `reportFigures`.
 */
export type FigureRenderer = (document: PlotDocument, report: Report, budget: number) => ReportFigure[];

export interface HtmlReportOptions {
  /** Rank budget at which errors, energies and parameter counts are given (default: the report's own). */
  budget?: number;
  /** Figures to inline; default `reportFigures` (the panel's plots). `false`: none. */
  figures?: FigureRenderer | false;
}

// ---------------------------------------------------------------------------------------------
// Escaping: `html` escapes every interpolation unless it is a `Raw` produced by this file.
// ---------------------------------------------------------------------------------------------

class Raw {
  constructor(readonly text: string) {}
}

/** Escapes text for element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

type Part = string | number | Raw | null | undefined | false | Part[];

function flatten(value: Part): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return value.map(flatten).join('');
  return escapeHtml(String(value));
}

function html(strings: TemplateStringsArray, ...values: Part[]): Raw {
  let out = strings[0];
  values.forEach((v, i) => {
    out += flatten(v) + strings[i + 1];
  });
  return new Raw(out);
}

/** The budget the report itself suggests: its recommended r, the plan's rank, else 8. */
export function defaultBudget(report: Report): number {
  const fromModules = report.transformer?.modules.find((m) => m.atRank)?.atRank?.rank;
  return fromModules ?? (report.transformer && report.transformer.r > 0 ? report.transformer.r : undefined) ?? report.fnn?.best.requiredRank ?? report.adapter?.r ?? 8;
}

// ---------------------------------------------------------------------------------------------
// Sections: the same facts, lines and tables as the Markdown and text reports (src/report/text.ts)
// ---------------------------------------------------------------------------------------------

function summary(report: Report, budget: number): Raw {
  return html`<header>
<h1>LoRA Lens report: ${KIND_TITLE[report.kind]}</h1>
<p class="sub">rank budget <strong>${budget}</strong> · created ${report.createdAt}</p>
<table class="meta"><tbody>
${summaryFacts(report).map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}
</tbody></table>
</header>`;
}

function sections(report: Report, budget: number): Raw {
  const { lines, tables } = reportSections(report, budget);
  const f = report.fnn;
  return html`${lines.length ? html`<section id="summary"><h2>Summary</h2><ul>${lines.map((l) => html`<li>${l}</li>`)}</ul></section>` : ''}
${f ? html`<section id="partition-plan"><h2>Partition plan</h2><ol>${f.best.partition.map((block, i) => html`<li>target layer ${i + 1} ← frozen layers ${block.join(', ')} (discrepancy rank ${f.best.discrepancyRanks[i]}, needs rank ⌈${f.best.discrepancyRanks[i]}/${block.length}⌉)</li>`)}</ol></section>` : ''}
${tables.map((t) => table(t))}`;
}

function table(t: Table): Raw {
  const cls = (i: number) => (t.numeric?.[i] ? 'n' : '');
  const body = html`<table><thead><tr>${t.header.map((h, i) => html`<th class="${cls(i)}">${h}</th>`)}</tr></thead>
<tbody>${t.rows.map((row) => html`<tr>${row.map((cell, i) => html`<td class="${cls(i)}">${cell}</td>`)}</tr>
`)}</tbody></table>`;
  const big = t.rows.length > 60;
  return html`<section class="table"><h2>${t.title}</h2>
${big ? html`<details><summary>${t.rows.length} rows</summary>${body}</details>` : body}
</section>`;
}

function rankPatternSection(report: Report): Raw {
  const pattern = reportRankPattern(report);
  if (!pattern || Object.keys(pattern).length === 0) return html``;
  return html`<section id="rank-pattern"><h2>${report.adapter ? 'Effective rank_pattern' : 'rank_pattern'}</h2><pre>${JSON.stringify(pattern, null, 2)}</pre></section>`;
}

function figuresSection(figures: ReportFigure[]): Raw {
  if (figures.length === 0) return html``;
  return html`<section id="figures"><h2>Plots</h2>
${figures.map((f) => html`<figure class="plot"><figcaption>${f.title}</figcaption>${new Raw(f.svg)}${f.caption ? html`<p class="caption">${f.caption}</p>` : ''}</figure>`)}
</section>`;
}

/** The parts of a linkedom node the serializer reads. */
interface DomNode {
  nodeType: number;
  localName?: string;
  data?: string;
  attributes?: ArrayLike<{ name: string; value: string }>;
  childNodes?: ArrayLike<DomNode>;
}

const ELEMENT = 1;
const TEXT = 3;
const DROPPED_ELEMENTS = new Set(['script', 'foreignobject', 'iframe', 'object', 'embed']);

/**
 * Serialises a plot's SVG element ourselves instead of trusting linkedom's outerHTML, which leaves
 * `<` raw inside attribute values and inside `<title>` (Plot's tooltips, which carry module names):
 * inside an inline `<svg>` the browser would parse such text as markup. Escapes every text node and
 * attribute value, and drops anything that could run or fetch (scripts, foreignObject, on* handlers,
 * non-fragment links).
 */
export function serializeSvg(node: unknown): string {
  const n = node as DomNode;
  if (n.nodeType === TEXT) return escapeHtml(n.data ?? '');
  if (n.nodeType !== ELEMENT || !n.localName) return '';
  const name = n.localName;
  if (DROPPED_ELEMENTS.has(name.toLowerCase()) || !/^[a-zA-Z][\w:-]*$/.test(name)) return '';
  let out = `<${name}`;
  for (const attr of Array.from(n.attributes ?? [])) {
    const key = attr.name;
    if (!/^[a-zA-Z_:][\w:.-]*$/.test(key) || /^on/i.test(key)) continue;
    if (/^(xlink:)?href$/i.test(key) && !attr.value.startsWith('#')) continue;
    out += ` ${key}="${escapeHtml(attr.value)}"`;
  }
  out += '>';
  for (const child of Array.from(n.childNodes ?? [])) out += serializeSvg(child);
  return `${out}</${name}>`;
}

/** Markup from elsewhere (a custom FigureRenderer): parsed and re-serialised by the same rules. */
export function sanitizeSvg(markup: string): string {
  const { document } = parseHTML(`<!DOCTYPE html><html><head></head><body>${markup}</body></html>`);
  const body = (document as { body: DomNode }).body;
  return Array.from(body.childNodes ?? []).map(serializeSvg).join('');
}

function notesSection(report: Report): Raw {
  if (report.notes.length === 0) return html``;
  return html`<section id="notes"><h2>Notes</h2><ul>${report.notes.map((n) => html`<li>${n}</li>`)}</ul></section>`;
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #fff; --warn: #9a6700; --head: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --bg: #0d1117; --warn: #d29922; --head: #151b23; } }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); max-width: 1200px; margin: 2rem auto; padding: 0 1rem; }
h1 { margin-bottom: 0; } .sub, .caption, .caveat { color: var(--muted); }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--head); position: sticky; top: 0; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.unchanged td { color: var(--muted); }
.warn { color: var(--warn); font-weight: 600; }
.rule { border-bottom: 1px dotted var(--muted); cursor: help; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
pre { background: var(--head); padding: .5rem; overflow: auto; }
figure.plot { margin: 1rem 0; } figure.plot svg { max-width: 100%; height: auto; background: #fff; color: #1f2328; }
figcaption { font-weight: 600; }
footer { color: var(--muted); margin-top: 2rem; font-size: 12px; }
`;

/** The whole document. */
export function renderHtmlReport(report: Report, options: HtmlReportOptions = {}): string {
  const budget = options.budget ?? defaultBudget(report);
  const figures = options.figures === false ? [] : renderFigures(options.figures ?? reportFigures, report, budget);
  const title = `LoRA Lens: ${report.models.base.source}${report.models.target ? ` vs ${report.models.target.source}` : ''}`;
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${report.tool.name} ${report.tool.version}">
<title>${title}</title>
<style>${new Raw(STYLE)}</style>
</head>
<body>
${summary(report, budget)}
<main>
${sections(report, budget)}
${figuresSection(figures)}
${rankPatternSection(report)}
${notesSection(report)}
</main>
<footer>Generated by ${report.tool.name} ${report.tool.version} from report schema ${report.schemaVersion}. Theory: Zeng &amp; Lee, “The Expressive Power of Low-Rank Adaptation”, ICLR 2024.</footer>
</body>
</html>
`;
  return page.text;
}

/** At most this many per-module figures (largest updates first): the report stays a readable size. */
const MAX_MODULE_FIGURES = 8;

/**
 * The panel's plots for a report at a budget, through the shared plot functions:
 * transformer: parameters vs error of every changed module, then spectrum and error-vs-rank of the
 * largest changed modules; fnn: the partition plan (uniform beside optimal) and each optimal block's
 * discrepancy spectrum and error curve; adapter: the spectrum of each pair's B·A.
 */
export const reportFigures: FigureRenderer = (document, report, budget) => {
  const out: ReportFigure[] = [];
  const svg = serializeSvg;
  const t = report.transformer;
  if (t) {
    const changed = t.modules.filter((m) => m.status === 'changed' && m.singularValues.length > 0);
    if (changed.length > 0) {
      const points = changed.map((m) => {
        const [outF, inF] = m.shape;
        const r = Math.min(budget, m.errors.spectral.length - 1);
        const sigma1 = m.singularValues[0] || 1;
        return {
          label: m.name,
          parameters: budget * (inF + outF),
          error: (m.errors.spectral[r] ?? 0) / sigma1,
          fullUpdateCheaper: budget * (inF + outF) > inF * outF,
        };
      });
      out.push({
        title: `Parameters vs error at rank ${budget}`,
        svg: svg(paramsVsErrorPlot(points, { xLabel: 'LoRA parameters', yLabel: 'σ_{r+1}/σ₁', title: 'Parameters vs error' }, document)),
      });
    }
    for (const m of [...changed].sort((a, b) => b.frobeniusNorm - a.frobeniusNorm).slice(0, MAX_MODULE_FIGURES)) {
      out.push({ title: `${m.name}: singular spectrum of ΔW`, svg: svg(spectrumPlot(m.singularValues, { tolerance: m.tolerance, budget, title: m.name }, document)) });
      const curve = m.errors.spectral.map((spectral, rank) => ({ rank, spectral, frobenius: m.errors.frobenius[rank] ?? 0 }));
      out.push({
        title: `${m.name}: error vs rank`,
        svg: svg(errorVsRankPlot(curve, { requiredRank: m.requirement.requiredRank, requiredLabel: `required ${m.requirement.requiredRank}`, budget, title: m.name }, document)),
      });
    }
    if (changed.length > MAX_MODULE_FIGURES) {
      out.push({ title: 'More modules', svg: '', caption: `${changed.length - MAX_MODULE_FIGURES} more changed modules are in the tables above and in the panel.` });
    }
  }
  const f = report.fnn;
  if (f) {
    out.push({
      title: 'Partition plan',
      svg: svg(partitionPlanFigure([
        { name: 'uniform', partition: f.uniform.partition, discrepancyRanks: f.uniform.discrepancyRanks, requiredRank: f.uniform.requiredRank },
        { name: 'optimal', partition: f.best.partition, discrepancyRanks: f.best.discrepancyRanks, requiredRank: f.best.requiredRank },
      ], { title: 'Partition plan' }, document)),
    });
    f.best.partition.forEach((block, i) => {
      const name = `block ${i + 1} (frozen ${block.join(', ')})`;
      out.push({ title: `Optimal ${name}: discrepancy spectrum`, svg: svg(spectrumPlot(f.best.discrepancySpectra[i] ?? [], { tolerance: f.best.tolerances[i], budget: budget * block.length, title: name }, document)) });
      const curve = f.best.blockErrors.map((row) => ({ rank: row.rank, spectral: row.spectral[i] ?? 0, frobenius: row.frobenius[i] ?? 0 }));
      const need = Math.ceil((f.best.discrepancyRanks[i] ?? 0) / block.length);
      out.push({ title: `Optimal ${name}: error vs LoRA rank`, svg: svg(errorVsRankPlot(curve, { requiredRank: need, requiredLabel: `required ${need}`, budget, title: name }, document)) });
    });
  }
  const a = report.adapter;
  if (a) {
    for (const p of a.pairs.slice(0, MAX_MODULE_FIGURES * 2)) {
      out.push({
        title: `${p.baseModule}: singular values of scale·B·A (configured rank ${p.configuredRank}, effective ${p.effectiveRank})`,
        svg: svg(spectrumPlot(p.singularValues, { tolerance: p.tolerance, budget: p.effectiveRank, title: p.baseModule }, document)),
      });
    }
  }
  return out;
};

/** Runs a figure renderer against a fresh server-side DOM; a failing plot becomes a note, not a crash. */
function renderFigures(render: FigureRenderer, report: Report, budget: number): ReportFigure[] {
  const { document } = parseHTML('<!DOCTYPE html><html><head></head><body></body></html>');
  try {
    // Whatever a renderer returns goes through the sanitiser again (cheap; figures are small).
    return render(document as PlotDocument, report, budget).map((f) => ({ ...f, svg: sanitizeSvg(f.svg) }));
  } catch (error) {
    return [{ title: 'Plots unavailable', svg: '', caption: `The plots could not be drawn: ${(error as Error).message}` }];
  }
}

