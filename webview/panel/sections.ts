/** Smaller sections: attention heads (Transformer), partition plan (FNN), notes, export buttons. */
import type { HeadRow } from '../../src/panel/rows';
import type { PanelExportFormat, Report } from '../../src/protocol';
import { partitionPlans } from '../../src/panel/figures';
import { partitionPlanFigure } from '../../src/report/plots/partitionPlanFigure';
import { h } from './dom';
import { adopt } from './figures';

/** Head product gaps with a ✓/✗ against the budget; rows are few (layers × heads × 2). */
export function headsSection(heads: readonly HeadRow[]): { element: HTMLElement; update(budget: number): void } {
  const marks: { cell: HTMLElement; required: number }[] = [];
  const body = h('tbody');
  for (const head of heads) {
    const cell = h('td', { class: 'flag' });
    marks.push({ cell, required: head.requiredRank });
    body.appendChild(h('tr', { title: head.caveats.join('; ') },
      h('td', { class: 'num' }, String(head.layer)),
      h('td', { class: 'num' }, `${head.head} → kv ${head.kvHead}`),
      h('td', {}, head.product === 'qk' ? 'scores W_Kᵀ W_Q' : 'values W_O W_V'),
      h('td', { class: 'num' }, String(head.gap)),
      h('td', { class: 'num' }, `≥ ${head.requiredRank}`),
      cell));
  }
  const table = h('table', { class: 'heads' },
    h('thead', {}, h('tr', {},
      h('th', { class: 'num' }, 'Layer'), h('th', { class: 'num' }, 'Head'), h('th', {}, 'Product'),
      h('th', { class: 'num', title: 'Rank of the product gap G_h' }, 'Gap'),
      h('th', { class: 'num', title: '⌈G_h/2⌉: necessary (a lower bound), on both factors' }, 'Needs'),
      h('th', {}, '@ r'))),
    body);
  const element = h('vscode-collapsible', { title: `Attention heads: product gaps (${heads.length})`, class: 'section' }, h('div', { class: 'collapsible-body' }, table));
  return {
    element,
    update(budget: number) {
      for (const m of marks) {
        const ok = budget >= m.required;
        m.cell.textContent = ok ? '✓ not ruled out' : '✗ too small';
        m.cell.className = ok ? 'flag ok' : 'flag warn';
      }
    },
  };
}

export function partitionSection(report: Report, width: number): HTMLElement | null {
  const plans = partitionPlans(report);
  if (plans.length === 0 || !report.fnn) return null;
  const svg = partitionPlanFigure(plans, { width: Math.max(360, Math.floor(width)), title: 'Partition plan: uniform beside optimal' }, document) as Element;
  const f = report.fnn;
  return h('section', { class: 'section plan', id: 'partition-plan' },
    h('h2', {}, 'Partition plan'),
    h('p', { class: 'hint' }, `Each target layer is served by a block of consecutive frozen layers; LoRA of rank r on each of a block's |P| layers corrects rank r·|P| of its discrepancy. Uniform needs rank ${f.uniform.requiredRank}, the optimal plan ${f.best.requiredRank} (${f.best.oracleCalls} candidate evaluations).`),
    h('div', { class: 'figure wide' }, adopt(svg)));
}

export function notesSection(report: Report): HTMLElement | null {
  const notes = [...report.notes, ...(report.adapter?.thresholdFindings ?? [])];
  if (notes.length === 0) return null;
  return h('section', { class: 'section notes' }, h('h2', {}, 'Notes'), h('ul', {}, ...notes.map((n) => h('li', {}, n))));
}

export function exportButtons(onExport: (format: PanelExportFormat) => void): HTMLElement {
  const button = (format: PanelExportFormat, label: string, title: string, secondary = true) => {
    const b = h('vscode-button', { title, 'data-format': format, secondary });
    b.textContent = label;
    b.addEventListener('click', () => onExport(format));
    return b;
  };
  return h('div', { class: 'exports', role: 'toolbar', 'aria-label': 'Export' },
    button('markdown', 'Markdown', 'Export the design review as Markdown (readable in a pull request)', false),
    button('html', 'HTML', 'Self-contained HTML with these plots'),
    button('json', 'JSON', 'The report as JSON (the CLI schema)'),
    button('peft', 'rank_pattern', 'PEFT adapter_config.json with r, rank_pattern and alpha_pattern'));
}
