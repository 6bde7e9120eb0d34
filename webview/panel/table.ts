/**
 * The per-module (or per-block) table. Rows are built once per report; a budget change rewrites only
 * the budget-dependent cells (and re-orders the existing <tr>s when sorted by such a column), so a
 * few hundred rows update in a few milliseconds.
 */
import type { RowMetrics } from '../../src/panel/budget';
import { formatError, formatInteger, formatPercent, formatShape } from '../../src/panel/format';
import type { PanelRow } from '../../src/panel/rows';
import { BUDGET_DEPENDENT_KEYS, sortedOrder, type SortKey, type SortState } from '../../src/panel/sort';
import { describeGuarantee } from '../../src/theory/format';
import { h, type Child } from './dom';

interface Column {
  key: SortKey;
  label: string;
  title: string;
  numeric: boolean;
  /** Depends on the budget (header marked "@ r"). */
  atBudget?: boolean;
}

interface RowCells {
  tr: HTMLTableRowElement;
  spectral: HTMLTableCellElement;
  frobenius: HTMLTableCellElement;
  retained: HTMLTableCellElement;
  lora: HTMLTableCellElement;
  cheaper: HTMLTableCellElement;
  required: HTMLTableCellElement;
}

export interface TableCallbacks {
  onSelect(id: string): void;
  onSort(sort: SortState): void;
}

export class ModuleTable {
  readonly element: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private readonly headers = new Map<SortKey, HTMLTableCellElement>();
  private cells: RowCells[] = [];
  private rows: readonly PanelRow[] = [];
  private metrics: readonly RowMetrics[] = [];
  private selected: string | undefined;

  constructor(private sort: SortState, private readonly callbacks: TableCallbacks) {
    this.body = h('tbody');
    this.element = h('table', { class: 'modules', role: 'grid' });
  }

  /** Rebuilds the table for new rows (a new report or another FNN partition). */
  setRows(rows: readonly PanelRow[], measuredLabel: string, hasSpectra: boolean): void {
    this.rows = rows;
    const columns = columnsFor(rows, measuredLabel, hasSpectra);
    const headRow = h('tr');
    this.headers.clear();
    for (const column of columns) {
      const th = h('th', { class: column.numeric ? 'num' : '', title: column.title, scope: 'col', tabindex: 0, 'data-key': column.key },
        column.label, column.atBudget ? h('span', { class: 'at-r' }, ' @ r') : null, h('span', { class: 'sort-arrow', 'aria-hidden': 'true' }));
      th.addEventListener('click', () => this.toggleSort(column.key));
      th.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.toggleSort(column.key);
        }
      });
      this.headers.set(column.key, th);
      headRow.appendChild(th);
    }
    this.element.replaceChildren(h('thead', {}, headRow), this.body);
    this.cells = rows.map((row) => this.buildRow(row, columns));
    this.showSortArrows();
  }

  private buildRow(row: PanelRow, columns: Column[]): RowCells {
    const tr = h('tr', { tabindex: 0, 'data-id': row.id, class: row.status === 'unchanged' ? 'dim' : '' });
    const td = (cls = '', ...children: Child[]) => h('td', { class: cls }, ...children);
    const required = td('num');
    const refs: Partial<RowCells> = { tr, required };
    for (const column of columns) {
      switch (column.key) {
        case 'name': tr.appendChild(td('name', h('span', { class: 'module', title: row.name }, row.name), statusBadge(row))); break;
        case 'layer': tr.appendChild(td('num', row.layer === null ? '—' : String(row.layer))); break;
        case 'role': tr.appendChild(td('role', row.role)); break;
        case 'shape': tr.appendChild(td('num shape', formatShape(row.shape))); break;
        case 'measured': tr.appendChild(td('num', row.measuredRank === null ? '—' : String(row.measuredRank))); break;
        case 'required':
          required.append(String(row.requiredRank), ' ', h('span', { class: `guarantee ${row.rule.guarantee}` }, guaranteeShort(row.rule.guarantee)));
          required.title = `${describeGuarantee(row.rule.guarantee)}: ${row.rule.ruleText}${row.rule.caveats?.length ? `\nCaveats: ${row.rule.caveats.join('; ')}` : ''}`;
          tr.appendChild(required);
          break;
        case 'spectral': tr.appendChild((refs.spectral = td('num'))); break;
        case 'frobenius': tr.appendChild((refs.frobenius = td('num'))); break;
        case 'retained': tr.appendChild((refs.retained = td('num'))); break;
        case 'lora': tr.appendChild((refs.lora = td('num'))); break;
        case 'full': tr.appendChild(td('num', formatInteger(row.fullParameters))); break;
        case 'cheaper': tr.appendChild((refs.cheaper = td('flag'))); break;
      }
    }
    const id = row.id;
    tr.addEventListener('click', () => this.callbacks.onSelect(id));
    tr.addEventListener('keydown', (e) => this.onRowKey(e, tr, id));
    // Cells a column set does not have stay detached (never shown, cheap to write).
    return {
      tr, required,
      spectral: refs.spectral ?? h('td'), frobenius: refs.frobenius ?? h('td'), retained: refs.retained ?? h('td'),
      lora: refs.lora ?? h('td'), cheaper: refs.cheaper ?? h('td'),
    };
  }

  private onRowKey(e: KeyboardEvent, tr: HTMLTableRowElement, id: string): void {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.callbacks.onSelect(id);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling) as HTMLTableRowElement | null;
      if (next) {
        next.focus();
        const nextId = next.dataset.id;
        if (nextId !== undefined) this.callbacks.onSelect(nextId);
      }
    }
  }

  /** Writes the budget-dependent cells; re-orders when sorted by one of them. */
  update(metrics: readonly RowMetrics[], budget: number): void {
    this.metrics = metrics;
    for (let i = 0; i < this.cells.length; i++) {
      const c = this.cells[i];
      const m = metrics[i];
      const row = this.rows[i];
      c.spectral.textContent = formatError(m.spectral);
      c.spectral.title = m.relativeSpectral === null ? 'no spectrum' : `σ${budget * row.layers + 1} = ${m.spectral} (${formatPercent(m.relativeSpectral)} of σ₁)`;
      c.frobenius.textContent = formatError(m.frobenius);
      c.retained.textContent = formatPercent(m.retained);
      c.lora.textContent = formatInteger(m.loraParameters);
      c.cheaper.textContent = m.fullUpdateCheaper ? 'full is cheaper' : '';
      c.cheaper.className = m.fullUpdateCheaper ? 'flag warn' : 'flag';
      c.tr.classList.toggle('short', !m.meetsRequirement);
    }
    if (BUDGET_DEPENDENT_KEYS.has(this.sort.key) || this.body.childElementCount !== this.cells.length) this.applyOrder();
  }

  select(id: string | undefined): void {
    this.selected = id;
    for (const c of this.cells) {
      const on = c.tr.dataset.id === id;
      c.tr.classList.toggle('selected', on);
      c.tr.setAttribute('aria-selected', String(on));
    }
  }

  get selectedId(): string | undefined {
    return this.selected;
  }

  get rowCount(): number {
    return this.body.childElementCount;
  }

  private toggleSort(key: SortKey): void {
    const direction = this.sort.key === key ? (this.sort.direction === 'asc' ? 'desc' : 'asc') : defaultDirection(key);
    this.sort = { key, direction };
    this.applyOrder();
    this.showSortArrows();
    this.callbacks.onSort(this.sort);
  }

  private applyOrder(): void {
    const fragment = document.createDocumentFragment();
    for (const i of sortedOrder(this.rows, this.metrics, this.sort)) fragment.appendChild(this.cells[i].tr);
    this.body.appendChild(fragment);
  }

  private showSortArrows(): void {
    for (const [key, th] of this.headers) {
      const active = key === this.sort.key;
      th.setAttribute('aria-sort', active ? (this.sort.direction === 'asc' ? 'ascending' : 'descending') : 'none');
      const arrow = th.querySelector('.sort-arrow');
      if (arrow) arrow.textContent = active ? (this.sort.direction === 'asc' ? ' ▲' : ' ▼') : '';
    }
  }
}

function defaultDirection(key: SortKey): 'asc' | 'desc' {
  return key === 'name' || key === 'role' || key === 'layer' ? 'asc' : 'desc';
}

function guaranteeShort(g: PanelRow['rule']['guarantee']): string {
  return g === 'exact' ? 'exact' : g === 'lower-bound' ? '≥' : '≈';
}

function statusBadge(row: PanelRow): Node | null {
  if (row.status === '' || row.status === 'changed') return null;
  const cls = row.status === 'invalid' ? 'status error' : row.source === 'pair' && row.status.startsWith('wastes') ? 'status warn' : 'status';
  return h('span', { class: cls, title: row.problem ?? row.status }, row.status);
}

function columnsFor(rows: readonly PanelRow[], measuredLabel: string, hasSpectra: boolean): Column[] {
  const blocks = rows.some((r) => r.source === 'block');
  const columns: Column[] = [
    { key: 'name', label: blocks ? 'Target layer' : 'Module', title: 'Module (checkpoint key without .weight) or target layer', numeric: false },
    { key: 'role', label: blocks ? 'Frozen layers' : 'Role', title: blocks ? 'Frozen layers of the block' : 'Role of the matrix', numeric: false },
    { key: 'layer', label: blocks ? '#' : 'Layer', title: 'Layer index', numeric: true },
    { key: 'shape', label: 'Shape', title: 'out × in of each matrix', numeric: true },
  ];
  if (hasSpectra) columns.push({ key: 'measured', label: measuredLabel, title: 'Numerical rank (σ above the tolerance)', numeric: true });
  columns.push({ key: 'required', label: 'Required', title: 'Required LoRA rank, with the rule and its guarantee (hover a cell)', numeric: true });
  if (hasSpectra) {
    columns.push(
      { key: 'spectral', label: 'Spectral err', title: 'Best spectral error at the budget: σ_{r·m+1}', numeric: true, atBudget: true },
      { key: 'frobenius', label: 'Frobenius err', title: 'Best Frobenius error at the budget: sqrt(Σ_{k>r·m} σ_k²)', numeric: true, atBudget: true },
      { key: 'retained', label: 'Energy kept', title: 'Σ_{k≤r·m} σ_k² / Σ σ_k²', numeric: true, atBudget: true },
    );
  }
  columns.push(
    { key: 'lora', label: 'LoRA params', title: 'r·(in + out) per matrix', numeric: true, atBudget: true },
    { key: 'full', label: 'Full update', title: 'in·out per matrix', numeric: true },
    { key: 'cheaper', label: 'Flag', title: 'A full update would need fewer parameters than LoRA at this budget', numeric: false, atBudget: true },
  );
  return columns;
}
