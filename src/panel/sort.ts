/** Sorting the panel's table: by a column, stable, rows without a value last in either direction. */
import type { RowMetrics } from './budget';
import type { PanelRow } from './rows';

export type SortKey =
  | 'name' | 'role' | 'layer' | 'shape' | 'measured' | 'required' | 'spectral' | 'frobenius' | 'retained' | 'lora' | 'full' | 'cheaper';
export type SortDirection = 'asc' | 'desc';

export interface SortState {
  key: SortKey;
  direction: SortDirection;
}

/** Keys whose value changes with the budget (the table re-sorts on a budget change only for these). */
export const BUDGET_DEPENDENT_KEYS: ReadonlySet<SortKey> = new Set(['spectral', 'frobenius', 'retained', 'lora', 'cheaper']);

type Value = number | string | null;

function valueOf(key: SortKey, row: PanelRow, m: RowMetrics): Value {
  switch (key) {
    case 'name': return row.name;
    case 'role': return row.role;
    case 'layer': return row.layer;
    case 'shape': return row.shape ? row.shape[0] * row.shape[1] : null;
    case 'measured': return row.measuredRank;
    case 'required': return row.requiredRank;
    case 'spectral': return m.spectral;
    case 'frobenius': return m.frobenius;
    case 'retained': return m.retained;
    case 'lora': return m.loraParameters;
    case 'full': return row.fullParameters;
    case 'cheaper': return m.fullUpdateCheaper ? 1 : 0;
  }
}

/**
 * Row indices in display order. Names compare numerically where they contain numbers
 * ("layers.10" after "layers.9"); ties keep report order.
 *
 * @param metrics shape [rows], aligned with `rows`
 */
export function sortedOrder(rows: readonly PanelRow[], metrics: readonly RowMetrics[], sort: SortState): number[] {
  const values = rows.map((row, i) => valueOf(sort.key, row, metrics[i]));
  const sign = sort.direction === 'asc' ? 1 : -1;
  const collator = new Intl.Collator('en', { numeric: true });
  const order = rows.map((_, i) => i);
  order.sort((a, b) => {
    const va = values[a];
    const vb = values[b];
    if (va === null || vb === null) return va === vb ? a - b : va === null ? 1 : -1;
    const c = typeof va === 'string' || typeof vb === 'string' ? collator.compare(String(va), String(vb)) : va - vb;
    return c !== 0 ? sign * c : a - b;
  });
  return order;
}
