/**
 * Browser code of the safetensors viewer (bundled to dist/safetensorsViewer.js). Receives the model
 * from the extension host, renders it with the pure builders of ./safetensorsViewer/render, and keeps
 * big headers smooth: groups start collapsed when the file has many tensors, rows are built only
 * for open groups, and long renders are split into slices so the page never freezes.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type {
  SafetensorsViewerHostMessage, SafetensorsViewerModel, SafetensorsViewerRendered, SafetensorsViewerWebviewMessage,
} from '../src/protocol';
import { filterTerms, matchesTerms, searchText } from './safetensorsViewer/filter';
import { formatInteger } from './safetensorsViewer/format';
import {
  renderErrorPage, renderGroupRow, renderLoadingPage, renderMetadataValue, renderModelPage, renderTensorRows,
} from './safetensorsViewer/render';

interface VsCodeApi<State> {
  postMessage(message: SafetensorsViewerWebviewMessage): void;
  getState(): State | undefined;
  setState(state: State): void;
}
declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

/** Remembered across tab switches and reloads (per editor). */
interface ViewState {
  filePath?: string;
  open?: string[];
  filter?: string;
}

/** Files with more tensors than this open with every group collapsed. */
const EXPAND_BY_DEFAULT_MAX_TENSORS = 200;
/** Rows built per slice before yielding to the browser. */
const ROWS_PER_SLICE = 1500;
/** While filtering, at most this many matching rows are put in the DOM. */
const MAX_FILTERED_ROWS = 3000;
const FILTER_DELAY_MS = 120;

const vscode = acquireVsCodeApi<ViewState>();
const app = document.getElementById('app') as HTMLElement;

let model: SafetensorsViewerModel | undefined;
/** Per group, per tensor: the lower-case text the filter searches. Built on first use. */
let searchIndex: string[][] | undefined;
/** Indices of the open groups (without a filter). */
let openGroups = new Set<number>();
/** Groups the user closed while a filter is active (matching groups are open by default). */
let closedWhileFiltering = new Set<number>();
let filterText = '';
let renderGeneration = 0;
let filterTimer: ReturnType<typeof setTimeout> | undefined;

function post(message: SafetensorsViewerWebviewMessage): void {
  vscode.postMessage(message);
}

function saveState(): void {
  if (!model) return;
  vscode.setState({ filePath: model.filePath, open: [...openGroups].map((g) => model!.groups[g].id), filter: filterText });
}

function reportRendered(rendered: SafetensorsViewerRendered): void {
  post({ type: 'safetensorsViewer/rendered', rendered });
}

function groupMatches(g: number, terms: readonly string[]): number[] {
  const group = model!.groups[g];
  if (terms.length === 0) return group.tensors.map((_, i) => i);
  searchIndex ??= model!.groups.map((gr) => gr.tensors.map(searchText));
  const texts = searchIndex[g];
  const out: number[] = [];
  for (let i = 0; i < texts.length; i++) if (matchesTerms(texts[i], terms)) out.push(i);
  return out;
}

/** Rebuilds every group's rows, in slices; reports to the host when done. */
function renderGroups(): void {
  if (!model) return;
  const current = model;
  const generation = ++renderGeneration;
  const terms = filterTerms(filterText);
  const filtering = terms.length > 0;
  const bodies = app.querySelectorAll<HTMLTableSectionElement>('tbody[data-g]');
  let g = 0;
  let matchedTensors = 0;
  let shownRows = 0;
  let visibleGroups = 0;

  const slice = (): void => {
    if (generation !== renderGeneration || current !== model) return; // superseded
    let built = 0;
    while (g < current.groups.length && built < ROWS_PER_SLICE) {
      const group = current.groups[g];
      const body = bodies[g];
      const matches = groupMatches(g, terms);
      matchedTensors += matches.length;
      const open = filtering ? !closedWhileFiltering.has(g) : openGroups.has(g);
      body.hidden = filtering && matches.length === 0;
      if (!body.hidden) visibleGroups++;
      const rows = open ? matches.slice(0, Math.max(0, (filtering ? MAX_FILTERED_ROWS : Infinity) - shownRows)) : [];
      body.innerHTML = renderGroupRow(group, g, open, filtering ? matches.length : undefined)
        + (rows.length ? renderTensorRows(group, g, rows) : '');
      shownRows += rows.length;
      built += rows.length + 1;
      g++;
    }
    if (g < current.groups.length) {
      setTimeout(slice, 0);
      return;
    }
    const count = document.getElementById('match-count');
    if (count) {
      count.textContent = !filtering
        ? ''
        : matchedTensors > shownRows && shownRows >= MAX_FILTERED_ROWS
          ? `${formatInteger(matchedTensors)} matches, first ${formatInteger(shownRows)} shown`
          : `${formatInteger(matchedTensors)} of ${formatInteger(current.tensorCount)}`;
    }
    const noMatch = document.getElementById('no-match');
    if (noMatch) noMatch.hidden = !(filtering && matchedTensors === 0);
    reportRendered({ view: 'model', groups: visibleGroups, rows: shownRows });
  };
  slice();
}

function toggleGroup(g: number): void {
  if (filterTerms(filterText).length > 0) {
    if (closedWhileFiltering.has(g)) closedWhileFiltering.delete(g);
    else closedWhileFiltering.add(g);
  } else if (openGroups.has(g)) {
    openGroups.delete(g);
  } else {
    openGroups.add(g);
  }
  saveState();
  renderGroups();
}

function setAllGroups(open: boolean): void {
  if (!model) return;
  if (filterTerms(filterText).length > 0) {
    closedWhileFiltering = open ? new Set() : new Set(model.groups.map((_, g) => g));
  } else {
    openGroups = open ? new Set(model.groups.map((_, g) => g)) : new Set();
  }
  saveState();
  renderGroups();
}

function groupIndexOf(target: EventTarget | null): number | undefined {
  const row = (target as Element | null)?.closest?.('tr.group-row');
  const g = row?.getAttribute('data-g');
  return g === null || g === undefined ? undefined : Number(g);
}

function wireModelPage(): void {
  document.getElementById('analyze')?.addEventListener('click', () => post({ type: 'safetensorsViewer/analyze' }));
  document.getElementById('reload')?.addEventListener('click', () => post({ type: 'safetensorsViewer/reload' }));
  document.getElementById('expand-all')?.addEventListener('click', () => setAllGroups(true));
  document.getElementById('collapse-all')?.addEventListener('click', () => setAllGroups(false));

  const filter = document.getElementById('filter') as (HTMLElement & { value: string }) | null;
  filter?.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      filterText = filter.value;
      closedWhileFiltering = new Set();
      saveState();
      renderGroups();
    }, FILTER_DELAY_MS);
  });

  const table = app.querySelector('table.tensor-table');
  table?.addEventListener('click', (event) => {
    const g = groupIndexOf(event.target);
    if (g !== undefined) toggleGroup(g);
  });
  table?.addEventListener('keydown', (event) => {
    const key = (event as KeyboardEvent).key;
    if (key !== 'Enter' && key !== ' ') return;
    const g = groupIndexOf(event.target);
    if (g === undefined) return;
    event.preventDefault();
    toggleGroup(g);
    app.querySelector<HTMLElement>(`tr.group-row[data-g="${g}"]`)?.focus();
  });
  table?.addEventListener('dblclick', (event) => {
    const row = (event.target as Element).closest('tr.tensor-row');
    if (!row || !model) return;
    const tensor = model.groups[Number(row.getAttribute('data-g'))]?.tensors[Number(row.getAttribute('data-t'))];
    if (tensor) post({ type: 'safetensorsViewer/copy', text: tensor.name });
  });

  app.querySelector('section.metadata')?.addEventListener('click', (event) => {
    const link = (event.target as Element).closest('a.unfold');
    if (!link || !model) return;
    event.preventDefault();
    const index = Number(link.getAttribute('data-m'));
    const cell = link.closest('td.value');
    const entry = model.metadata[index];
    if (cell && entry) cell.innerHTML = renderMetadataValue(entry.value, index, true);
  });

  // The CSP forbids style attributes; widths go through the CSSOM instead.
  for (const segment of app.querySelectorAll<HTMLElement>('.dtype-mix .segment')) {
    segment.style.width = `${Math.max(0, Math.min(1, Number(segment.dataset.share))) * 100}%`;
  }
}

function showModel(next: SafetensorsViewerModel): void {
  model = next;
  searchIndex = undefined;
  const state = vscode.getState();
  const sameFile = state?.filePath === next.filePath;
  filterText = sameFile ? state?.filter ?? '' : '';
  if (sameFile && state?.open) {
    const ids = new Set(state.open);
    openGroups = new Set(next.groups.flatMap((group, g) => (ids.has(group.id) ? [g] : [])));
  } else {
    openGroups = next.tensorCount <= EXPAND_BY_DEFAULT_MAX_TENSORS ? new Set(next.groups.map((_, g) => g)) : new Set();
  }
  closedWhileFiltering = new Set();
  app.innerHTML = renderModelPage(next, filterText);
  wireModelPage();
  saveState();
  renderGroups();
}

function showError(file: string, problem: string): void {
  model = undefined;
  renderGeneration++;
  app.innerHTML = renderErrorPage(file, problem);
  document.getElementById('reload')?.addEventListener('click', () => post({ type: 'safetensorsViewer/reload' }));
  document.getElementById('open-as-text')?.addEventListener('click', () => post({ type: 'safetensorsViewer/openAsText' }));
  const text = app.querySelector('.problem')?.textContent ?? '';
  reportRendered({ view: 'error', groups: 0, rows: 0, errorText: text });
}

window.addEventListener('message', (event: MessageEvent<SafetensorsViewerHostMessage>) => {
  const message = event.data;
  switch (message?.type) {
    case 'safetensorsViewer/show':
      showModel(message.model);
      break;
    case 'safetensorsViewer/error':
      showError(message.file, message.problem);
      break;
    case 'safetensorsViewer/loading':
      model = undefined;
      renderGeneration++;
      app.innerHTML = renderLoadingPage();
      break;
  }
});

post({ type: 'safetensorsViewer/ready' });
