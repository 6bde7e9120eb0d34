/**
 * The viewer's HTML, as strings built from the model. Pure (no DOM) so unit tests check it under Node.
 * Every string that came from the file goes through `textHtml` / `attrText` (escaped, control
 * characters visible); DOM ids and data attributes carry only our own numbers. No inline `style`
 * attributes: the CSP forbids them (widths are set through the CSSOM by the DOM code).
 */
import type { SafetensorsViewerGroup, SafetensorsViewerModel, SafetensorsViewerTensor } from '../../src/protocol';
import { formatBytes, formatCompact, formatInteger, formatShape, formatShare } from './format';
import { attrText, escapeHtml, textHtml, truncate } from './text';

/** Names longer than this are cut on screen (the tooltip holds more). */
const MAX_NAME_CHARS = 300;
/** Metadata values longer than this start folded behind a "Show all" button. */
export const FOLDED_VALUE_CHARS = 600;
/** Number of colours in the dtype palette (media/safetensorsViewer.css: .c0 … .c5). */
const PALETTE_SIZE = 6;

/** Column headers of the tensor table, in order. */
export const TENSOR_COLUMNS = ['Name', 'Role', 'DType', 'Shape', 'Parameters', 'Size'] as const;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatInteger(n)} ${n === 1 ? one : many}`;
}

/** The dtype → palette colour class, by rank in the file's dtype mix (never from the untrusted name). */
export function dtypeColorClasses(model: SafetensorsViewerModel): Map<string, string> {
  return new Map(model.dtypes.map((d, i) => [d.dtype, `c${i % PALETTE_SIZE}`]));
}

function nameHtml(text: string): string {
  const { text: shown, cut } = truncate(text, MAX_NAME_CHARS);
  return textHtml(shown) + (cut ? `<span class="cut" title="${plural(text.length, 'character')}">…</span>` : '');
}

export function renderHeader(model: SafetensorsViewerModel): string {
  const analyseDisabled = model.analysableTensors === 0;
  const analyzeTitle = analyseDisabled
    ? 'No tensor in this file has a dtype the analysis can read (F64, F32, F16, BF16)'
    : 'Analyze this model with LoRA Lens: ranks, spectra and thresholds';
  return `<header class="page-header">
  <div class="heading">
    <h1 class="file-name" title="${attrText(model.filePath)}">${nameHtml(model.fileName)}</h1>
    <div class="file-path" title="${attrText(model.filePath)}">${nameHtml(model.filePath)}</div>
    ${model.architecture ? `<div class="architecture">${textHtml(model.architecture)}</div>` : ''}
  </div>
  <div class="actions">
    <vscode-button id="analyze" title="${escapeHtml(analyzeTitle)}"${analyseDisabled ? ' disabled' : ''}>Analyze</vscode-button>
    <vscode-button id="reload" secondary title="Read the header again">Reload</vscode-button>
  </div>
</header>`;
}

function stat(label: string, value: string, detail: string, title = ''): string {
  return `<div class="stat"${title ? ` title="${escapeHtml(title)}"` : ''}>
    <div class="stat-label">${escapeHtml(label)}</div>
    <div class="stat-value">${escapeHtml(value)}</div>
    <div class="stat-detail">${escapeHtml(detail)}</div>
  </div>`;
}

/** "blocks 0–31", "block 7", or "blocks 0, 2, 4, 6" (numbers from the keys). */
function layerRange(model: SafetensorsViewerModel): string {
  const indices = [...new Set(model.groups.flatMap((g) => (g.kind === 'layer' && g.layer !== undefined ? [g.layer] : [])))].sort((a, b) => a - b);
  if (indices.length === 0) return 'no numbered blocks';
  if (indices.length === 1) return `block ${indices[0]}`;
  const contiguous = indices[indices.length - 1] - indices[0] === indices.length - 1;
  if (contiguous) return `blocks ${indices[0]}–${indices[indices.length - 1]}`;
  return `blocks ${indices.slice(0, 4).join(', ')}${indices.length > 4 ? ', …' : ''}`;
}

export function renderStats(model: SafetensorsViewerModel): string {
  const layers = model.groups.filter((g) => g.kind === 'layer').length;
  const notAnalysable = model.tensorCount - model.analysableTensors;
  return `<section class="stats" aria-label="Summary">
  ${stat('File size', formatBytes(model.fileSize), `header ${formatBytes(model.headerBytes)}`, `${formatInteger(model.fileSize)} bytes: 8-byte length, ${formatInteger(model.headerBytes)}-byte header, ${formatInteger(model.dataBytes)} bytes of tensor data`)}
  ${stat('Tensors', formatInteger(model.tensorCount), notAnalysable ? `${formatInteger(notAnalysable)} not analysable` : 'all analysable')}
  ${stat('Parameters', formatCompact(model.totalParameters), formatInteger(model.totalParameters), `${formatInteger(model.totalParameters)} parameters`)}
  ${stat('Layers', formatInteger(layers), layerRange(model))}
  ${stat('DTypes', model.dtypes.map((d) => d.dtype).join(' · ') || '—', plural(model.dtypes.length, 'dtype'))}
</section>`;
}

/**
 * The dtype mix: a proportional bar (segment widths from `data-share`, set by the DOM code) and a legend.
 */
export function renderDtypeMix(model: SafetensorsViewerModel): string {
  if (model.dtypes.length === 0) return '';
  const colors = dtypeColorClasses(model);
  const total = model.dataBytes;
  const segments = model.dtypes
    .map((d) => `<span class="segment ${colors.get(d.dtype)}" data-share="${total > 0 ? d.bytes / total : 1 / model.dtypes.length}" title="${attrText(d.dtype)}: ${formatShare(d.bytes, total)} of the data"></span>`)
    .join('');
  const legend = model.dtypes
    .map((d) => `<li><span class="swatch ${colors.get(d.dtype)}"></span><span class="dtype">${textHtml(d.dtype)}</span>
      <span class="muted">${formatShare(d.bytes, total)} · ${plural(d.tensors, 'tensor')} · ${formatCompact(d.parameters)} params · ${formatBytes(d.bytes)}</span>
      ${d.analysable ? '' : '<span class="tag warn" title="LoRA Lens decodes F64, F32, F16 and BF16 only">not analysable</span>'}</li>`)
    .join('');
  return `<section class="dtype-mix" aria-label="DType mix">
  <div class="bar" role="img" aria-label="Share of the data by dtype">${segments}</div>
  <ul class="legend">${legend}</ul>
</section>`;
}

export function renderNotes(model: SafetensorsViewerModel): string {
  if (model.notes.length === 0) return '';
  return `<section class="notes">${model.notes.map((n) => `<p class="note">${textHtml(n)}</p>`).join('')}</section>`;
}

/** Pretty-prints JSON objects/arrays (metadata often holds configs); other text as is. */
export function metadataValueText(value: string): string {
  const trimmed = value.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return value;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return value;
  }
}

/** One metadata value cell's content; long values are folded (the DOM code unfolds entry `index`). */
export function renderMetadataValue(value: string, index: number, unfolded: boolean): string {
  const text = metadataValueText(value);
  const { text: shown, cut } = unfolded ? { text, cut: false } : truncate(text, FOLDED_VALUE_CHARS);
  const more = cut
    ? `<span class="cut">…</span> <a href="#" class="unfold" data-m="${index}">Show all (${plural(text.length, 'character')})</a>`
    : '';
  return `<span class="value-text">${textHtml(shown, true)}</span>${more}`;
}

export function renderMetadata(model: SafetensorsViewerModel): string {
  const rows = model.metadata
    .map((m, i) => `<tr><td class="key">${nameHtml(m.key)}</td><td class="value" data-m="${i}">${renderMetadataValue(m.value, i, false)}</td></tr>`)
    .join('');
  const body = model.metadata.length
    ? `<table class="kv"><thead><tr><th>Key</th><th>Value</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p class="empty">This file has no <code>__metadata__</code>.</p>';
  return `<section class="metadata">
  <h2>Metadata <vscode-badge variant="counter">${model.metadata.length}</vscode-badge></h2>
  ${body}
</section>`;
}

/** The leaf of a name inside its group: the group's prefix dimmed, the rest plain. */
function tensorNameHtml(t: SafetensorsViewerTensor, prefix: string): string {
  if (prefix && t.name.startsWith(prefix) && t.name.length > prefix.length) {
    return `<span class="prefix">${nameHtml(prefix)}</span>${nameHtml(t.name.slice(prefix.length))}`;
  }
  return nameHtml(t.name);
}

/** Tensor rows of group `g` (`indices` into its tensors, all when omitted). */
export function renderTensorRows(group: SafetensorsViewerGroup, g: number, indices?: readonly number[]): string {
  const list = indices ?? group.tensors.map((_, i) => i);
  let html = '';
  for (const i of list) {
    const t = group.tensors[i];
    const warn = t.analysable ? '' : ` <span class="tag warn" title="${attrText(t.reason ?? `not analysable: dtype ${t.dtype}`)}">not analysable</span>`;
    html += `<tr class="tensor-row${t.analysable ? '' : ' na'}" data-g="${g}" data-t="${i}">`
      + `<td class="name" title="${attrText(t.name)}">${tensorNameHtml(t, group.prefix)}</td>`
      + `<td class="role">${t.role ? `<span class="role-tag">${textHtml(t.role)}</span>` : ''}</td>`
      + `<td class="dtype">${textHtml(t.dtype)}${warn}</td>`
      + `<td class="shape">${escapeHtml(formatShape(t.shape))}</td>`
      + `<td class="num">${formatInteger(t.parameters)}</td>`
      + `<td class="num">${formatBytes(t.bytes)}</td></tr>`;
  }
  return html;
}

/** The clickable header row of group `g`; `matches` is the filter's match count, when filtering. */
export function renderGroupRow(group: SafetensorsViewerGroup, g: number, open: boolean, matches?: number): string {
  const count = matches === undefined ? plural(group.tensors.length, 'tensor') : `${formatInteger(matches)} of ${plural(group.tensors.length, 'tensor')}`;
  const prefix = group.prefix && group.kind === 'layer' ? `<span class="group-prefix">${nameHtml(group.prefix)}</span>` : '';
  return `<tr class="group-row" data-g="${g}" tabindex="0" role="button" aria-expanded="${open}">`
    + `<td class="name"><span class="chevron" aria-hidden="true"></span><span class="group-label">${textHtml(group.label)}</span>${prefix}<span class="group-count">${count}</span></td>`
    + '<td class="role"></td>'
    + `<td class="dtype">${group.dtypes.map((d) => textHtml(d)).join(' · ')}</td>`
    + '<td class="shape"></td>'
    + `<td class="num">${formatInteger(group.parameters)}</td>`
    + `<td class="num">${formatBytes(group.bytes)}</td></tr>`;
}

/** The tensor section: tools and the table skeleton (groups are filled in by the DOM code). */
export function renderTensorSection(model: SafetensorsViewerModel, filter: string): string {
  const cols = TENSOR_COLUMNS.map((c, i) => `<th scope="col" class="${i >= 4 ? 'num' : c.toLowerCase()}">${c}</th>`).join('');
  return `<section class="tensors">
  <div class="section-head">
    <h2>Tensors <vscode-badge variant="counter">${model.tensorCount}</vscode-badge></h2>
    <div class="tools">
      <vscode-textfield id="filter" placeholder="Filter by name, dtype or shape" value="${escapeHtml(filter)}" aria-label="Filter tensors"></vscode-textfield>
      <span id="match-count" class="muted" aria-live="polite"></span>
      <vscode-button id="expand-all" secondary>Expand All</vscode-button>
      <vscode-button id="collapse-all" secondary>Collapse All</vscode-button>
    </div>
  </div>
  <table class="tensor-table">
    <colgroup><col class="c-name"><col class="c-role"><col class="c-dtype"><col class="c-shape"><col class="c-params"><col class="c-size"></colgroup>
    <thead><tr>${cols}</tr></thead>
    ${model.groups.map((_, g) => `<tbody data-g="${g}"></tbody>`).join('')}
  </table>
  <p id="no-match" class="empty" hidden>No tensor matches the filter.</p>
</section>`;
}

/** The whole page for a valid file. */
export function renderModelPage(model: SafetensorsViewerModel, filter: string): string {
  return renderHeader(model) + renderNotes(model) + renderStats(model) + renderDtypeMix(model)
    + renderMetadata(model) + renderTensorSection(model, filter);
}

/** The page for a file that cannot be shown: the one-line problem, never a stack trace. */
export function renderErrorPage(file: string, problem: string): string {
  return `<div class="error-view" role="alert">
  <div class="error-icon" aria-hidden="true">!</div>
  <div class="error-body">
    <h1>This file cannot be shown</h1>
    <p class="problem">${textHtml(problem)}</p>
    <p class="file-path" title="${attrText(file)}">${nameHtml(file)}</p>
    <p class="muted">LoRA Lens reads only the header of a safetensors file and checks it before showing anything.</p>
    <div class="actions">
      <vscode-button id="reload">Try Again</vscode-button>
      <vscode-button id="open-as-text" secondary>Reopen with Text Editor</vscode-button>
    </div>
  </div>
</div>`;
}

export function renderLoadingPage(): string {
  return '<div class="loading"><vscode-progress-ring></vscode-progress-ring><span>Reading header…</span></div>';
}
