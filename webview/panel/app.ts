/**
 * The analysis panel: renders one AnalysisPanelState and owns the interaction (budget, selection,
 * sort, FNN partition, parameters-plot mode). Budget changes recompute the table from the cached
 * spectra right away (one frame); figures and the host/state notifications follow, debounced.
 */
import type { AnalysisPanelRendered, AnalysisPanelState, PanelExportFormat } from '../../src/protocol';
import { allMetricsAtBudget, summarizeBudget, type RowMetrics } from '../../src/panel/budget';
import { buildHeadRows, buildRows, maxBudget, type PanelRow, type PlanChoice } from '../../src/panel/rows';
import type { SortKey, SortState } from '../../src/panel/sort';
import { BudgetControl } from './budgetControl';
import { debounce, h, replaceChildren } from './dom';
import { renderFigures, type ParamsMode } from './figures';
import { exportButtons, headsSection, notesSection, partitionSection } from './sections';
import { budgetCard, staticCards } from './summary';
import { ModuleTable } from './table';

export interface PanelHost {
  /** The state changed (save it; tell the extension). */
  saveState(state: AnalysisPanelState): void;
  rendered(rendered: AnalysisPanelRendered): void;
  export(format: PanelExportFormat): void;
}

const SORT_KEYS: readonly SortKey[] = ['name', 'role', 'layer', 'shape', 'measured', 'required', 'spectral', 'frobenius', 'retained', 'lora', 'full', 'cheaper'];

export class PanelApp {
  private state!: AnalysisPanelState;
  private rows: PanelRow[] = [];
  private metrics: RowMetrics[] = [];
  private table!: ModuleTable;
  private budgetControl!: BudgetControl;
  private heads: ReturnType<typeof headsSection> | undefined;
  private budgetCardSlot = h('div', { class: 'card-slot' });
  private figuresHost = h('div', { class: 'figures' });
  private selectedTitle = h('h2', {});
  private paramsMode: ParamsMode = 'modules';
  private pendingBudget: number | undefined;
  private lastUpdateMs: number | undefined;
  private figureCount = 0;
  private readonly notifyLater = debounce(() => this.notify(), 250);
  private readonly figuresLater = debounce(() => this.drawFigures(), 120);

  constructor(private readonly root: HTMLElement, private readonly host: PanelHost) {
    // Redraw figures when the panel's WIDTH changes (height changes come from our own rendering).
    let width = root.clientWidth;
    new ResizeObserver(debounce(() => {
      if (!this.state || Math.abs(root.clientWidth - width) < 8) return;
      width = root.clientWidth;
      this.drawFigures();
    }, 150)).observe(root);
  }

  /** Shows a state: a full render for a new report, else keeps the DOM and applies budget/selection. */
  show(state: AnalysisPanelState): void {
    // The same analysis (e.g. the extension answering 'ready' after a restore) keeps the DOM.
    const sameReport =
      this.state !== undefined && this.state.key === state.key && this.state.report.createdAt === state.report.createdAt && this.state.report.kind === state.report.kind;
    if (!sameReport) {
      this.state = state;
      this.renderAll();
    } else {
      this.applyBudget(state.budget, true);
    }
  }

  setBudget(budget: number): void {
    this.applyBudget(budget, true);
  }

  private renderAll(): void {
    const { report } = this.state;
    const plan: PlanChoice = this.state.plan ?? 'best';
    this.rows = buildRows(report, plan);
    const max = maxBudget(this.rows);
    const budget = clampBudget(this.state.budget, max);
    this.state = { ...this.state, budget };
    this.metrics = allMetricsAtBudget(this.rows, budget);
    const hasSpectra = this.rows.some((r) => r.sigma !== null);
    const sort = validSort(this.state.sort) ?? (hasSpectra ? { key: 'name' as const, direction: 'asc' as const } : { key: 'name' as const, direction: 'asc' as const });

    this.table = new ModuleTable(sort, {
      onSelect: (id) => this.select(id),
      onSort: (s) => this.save({ sort: s }),
    });
    this.table.setRows(this.rows, this.rows[0]?.measuredLabel ?? 'rank', hasSpectra);
    this.table.update(this.metrics, budget);

    this.budgetControl = new BudgetControl((b) => this.applyBudget(b, false));
    const maxRequired = Math.max(0, ...this.rows.map((r) => r.requiredRank));
    this.budgetControl.set(budget, max, Math.max(64, 2 * Math.min(maxRequired, 1024)));

    const selected = this.rows.find((r) => r.id === this.state.selected) ?? defaultSelection(this.rows);
    this.state = { ...this.state, selected: selected?.id };
    this.table.select(selected?.id);

    this.heads = report.transformer && report.transformer.heads.length > 0 ? headsSection(buildHeadRows(report)) : undefined;
    this.heads?.update(budget);

    const toolbar = h('div', { class: 'toolbar' }, this.budgetControl.element,
      h('span', { class: 'hint' }, 'Every number marked “@ r” and every plot follow the budget.'),
      h('span', { class: 'spacer' }), exportButtons((f) => this.exportNow(f)));

    const planToggle = report.fnn ? this.planToggle(plan) : null;
    const paramsToggle = this.paramsToggle();
    this.budgetCardSlot = h('div', { class: 'card-slot' });
    replaceChildren(this.budgetCardSlot, budgetCard(summarizeBudget(this.rows, this.metrics, budget)));

    replaceChildren(this.root,
      h('header', { class: 'title' }, h('h1', {}, this.state.title.replace(/^LoRA Lens: /, '')), h('span', { class: 'kind' }, report.kind)),
      h('div', { class: 'cards' }, ...staticCards(report), this.budgetCardSlot),
      toolbar,
      partitionSection(report, this.root.clientWidth - 40),
      h('section', { class: 'section' },
        h('div', { class: 'section-head' }, h('h2', {}, report.fnn ? 'Blocks' : report.adapter ? 'Adapter pairs' : 'Modules', h('span', { class: 'count' }, ` ${this.rows.length}`)), planToggle),
        h('div', { class: 'table-wrap' }, this.table.element)),
      h('section', { class: 'section selected' }, h('div', { class: 'section-head' }, this.selectedTitle, paramsToggle), this.figuresHost),
      this.heads?.element,
      notesSection(report));
    this.root.dataset.state = 'ready';
    this.drawFigures();
    this.save({});
  }

  private planToggle(plan: PlanChoice): HTMLElement {
    const group = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': 'Partition' });
    for (const [value, label] of [['best', 'optimal partition'], ['uniform', 'uniform partition']] as const) {
      const b = h('button', { role: 'radio', 'aria-checked': String(value === plan), class: value === plan ? 'on' : '' }, label);
      b.addEventListener('click', () => {
        if (value === (this.state.plan ?? 'best')) return;
        this.state = { ...this.state, plan: value, selected: undefined };
        this.renderAll();
      });
      group.appendChild(b);
    }
    return group;
  }

  private paramsToggle(): HTMLElement {
    const group = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': 'Parameters plot' });
    const buttons: HTMLButtonElement[] = [];
    for (const [value, label] of [['modules', 'all rows at r'], ['ranks', 'this row across ranks']] as const) {
      const b = h('button', { role: 'radio', 'aria-checked': String(value === this.paramsMode), class: value === this.paramsMode ? 'on' : '' }, label);
      b.addEventListener('click', () => {
        this.paramsMode = value;
        buttons.forEach((x) => {
          const on = x === b;
          x.classList.toggle('on', on);
          x.setAttribute('aria-checked', String(on));
        });
        this.drawFigures();
      });
      buttons.push(b);
      group.appendChild(b);
    }
    return group;
  }

  /** Budget change: table and summary now (timed), figures and notifications shortly after. */
  private applyBudget(requested: number, fromHost: boolean): void {
    const budget = clampBudget(requested, maxBudget(this.rows));
    if (this.pendingBudget === undefined) {
      requestAnimationFrame(() => {
        const b = this.pendingBudget;
        this.pendingBudget = undefined;
        if (b !== undefined) this.recompute(b);
      });
    }
    this.pendingBudget = budget;
    if (fromHost) this.budgetControl.show(budget);
  }

  /**
   * The host exports its copy of the state, which follows this one after a debounce: apply a budget
   * still waiting for its frame and send the state first (messages arrive in order), so the export is
   * at the budget on screen even when the button is clicked right after the slider moved.
   */
  private exportNow(format: PanelExportFormat): void {
    if (this.pendingBudget !== undefined) {
      const budget = this.pendingBudget;
      this.pendingBudget = undefined;
      this.recompute(budget);
    }
    this.notify();
    this.host.export(format);
  }

  private recompute(budget: number): void {
    const start = performance.now();
    this.metrics = allMetricsAtBudget(this.rows, budget);
    this.table.update(this.metrics, budget);
    replaceChildren(this.budgetCardSlot, budgetCard(summarizeBudget(this.rows, this.metrics, budget)));
    this.heads?.update(budget);
    this.budgetControl.show(budget);
    this.lastUpdateMs = performance.now() - start;
    this.state = { ...this.state, budget };
    this.root.dataset.budget = String(budget);
    this.figuresLater();
  }

  private select(id: string): void {
    if (this.state.selected === id) return;
    this.state = { ...this.state, selected: id };
    this.table.select(id);
    this.drawFigures();
  }

  private drawFigures(): void {
    const row = this.rows.find((r) => r.id === this.state.selected);
    this.selectedTitle.replaceChildren(h('span', { class: 'muted' }, row ? (row.source === 'block' ? 'Block: ' : 'Selected: ') : 'Nothing selected'), row ? h('span', { class: 'module' }, row.name) : '');
    // Same column count as the CSS grid (auto-fit, minmax(300px, 1fr), 14px gap), so the SVG is drawn
    // at the size it is shown and its text is not scaled down.
    const total = this.figuresHost.clientWidth || this.root.clientWidth || 900;
    const columns = Math.max(1, Math.floor((total + 14) / (300 + 14)));
    const width = (total - 14 * (columns - 1)) / columns - 22;
    this.figureCount = renderFigures(this.figuresHost, {
      row, rows: this.rows, metrics: this.metrics, budget: this.state.budget, paramsMode: this.paramsMode, width,
    });
    this.save({});
  }

  private save(patch: Partial<AnalysisPanelState>): void {
    this.state = { ...this.state, ...patch };
    this.notifyLater();
  }

  private notify(): void {
    this.host.saveState(this.state);
    this.host.rendered({
      key: this.state.key,
      kind: this.state.report.kind,
      budget: this.state.budget,
      rows: this.table.rowCount,
      headRows: this.state.report.transformer?.heads.length ?? 0,
      selected: this.state.selected,
      figures: this.figureCount + (this.state.report.fnn ? 1 : 0),
      lastUpdateMs: this.lastUpdateMs,
    });
  }
}

function clampBudget(value: number, max: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.max(0, Math.min(Math.round(value), max));
}

function validSort(sort: AnalysisPanelState['sort']): SortState | undefined {
  if (!sort || !SORT_KEYS.includes(sort.key as SortKey)) return undefined;
  return { key: sort.key as SortKey, direction: sort.direction === 'desc' ? 'desc' : 'asc' };
}

/** The row worth looking at first: the largest required rank with a spectrum, else the first. */
function defaultSelection(rows: readonly PanelRow[]): PanelRow | undefined {
  let best: PanelRow | undefined;
  for (const row of rows) {
    if (row.sigma === null || row.sigma.length === 0) continue;
    if (!best || row.requiredRank > best.requiredRank) best = row;
  }
  return best ?? rows[0];
}
