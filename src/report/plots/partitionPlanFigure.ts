/**
 * The partition plan of an FNN pair: frozen layers 1…L grouped under the target layer each block
 * serves, one panel per plan (uniform beside optimal).
 */
import { Plot, type PlotDocument, type PlotSvg } from './observablePlot';
import { colors, themeSvg } from './theme';

export interface PartitionPlan {
  /** Panel title, e.g. "uniform" or "optimal". */
  name: string;
  /** shape [L̄][|P_i|], 1-based frozen layers per target layer, consecutive. */
  partition: readonly (readonly number[])[];
  /** rank(E_i) per block, when known. */
  discrepancyRanks?: readonly number[];
  /** max_i ⌈rank(E_i)/|P_i|⌉, when known. */
  requiredRank?: number;
}

export interface PartitionPlanOptions {
  /** 'auto' (default): side by side up to 12 frozen layers, stacked beyond. */
  layout?: 'auto' | 'columns' | 'rows';
  width?: number;
  title?: string;
}

interface Cell {
  plan: string;
  row: 'target layers' | 'frozen layers';
  x1: number;
  x2: number;
  label: string;
  tip: string;
  fill: string;
}

const blockFills = [colors.primary, colors.accent, colors.secondary, colors.budget];

/** ⌈a/b⌉ for the label of a block's required rank. */
function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b);
}

function planTitle(plan: PartitionPlan): string {
  return plan.requiredRank !== undefined ? `${plan.name} · required rank ${plan.requiredRank}` : plan.name;
}

/**
 * @returns an `<svg>`; marks carry classes (prefixed `ll-`) `target-layers`, `frozen-layers`, `labels`
 */
export function partitionPlanFigure(plans: readonly PartitionPlan[], opts: PartitionPlanOptions, document: PlotDocument): PlotSvg {
  const L = Math.max(0, ...plans.map((p) => Math.max(0, ...p.partition.flat())));
  const layout = opts.layout === undefined || opts.layout === 'auto' ? (L <= 12 ? 'columns' : 'rows') : opts.layout;
  const panelWidth = layout === 'columns' ? Math.max(220, L * 44) : Math.max(360, L * 26);
  const width = opts.width ?? Math.min(1100, layout === 'columns' ? panelWidth * plans.length + 40 : panelWidth + 40);
  // Pixels per frozen layer, to pick the longest block label that fits (11px text ≈ 6.3px a character).
  const perLayer = (layout === 'columns' ? (width - 90) / Math.max(1, plans.length) - 12 : width - 90) / Math.max(1, L);
  const fits = (text: string, span: number) => text.length * 6.3 + 10 <= span * perLayer;
  const cells: Cell[] = [];
  for (const plan of plans) {
    const title = planTitle(plan);
    plan.partition.forEach((block, b) => {
      const fill = blockFills[b % blockFills.length];
      const first = Math.min(...block);
      const last = Math.max(...block);
      const rank = plan.discrepancyRanks?.[b];
      const need = rank !== undefined ? ceilDiv(rank, block.length) : undefined;
      const span = last - first + 1;
      const labels = rank === undefined ? [`T${b + 1}`] : [`T${b + 1} · rank(E) ${rank} · needs ${need}`, `T${b + 1} · needs ${need}`, `T${b + 1}: ${need}`];
      const label = labels.find((text) => fits(text, span)) ?? `T${b + 1}`;
      cells.push({
        plan: title,
        row: 'target layers',
        x1: first - 0.45,
        x2: last + 0.45,
        // Short label when the block is narrow (the tooltip has everything).
        label,
        tip:
          `target layer ${b + 1} ← frozen layers ${block.join(', ')}` +
          (rank !== undefined ? `\nrank(E${b + 1}) = ${rank}; needs rank ⌈${rank}/${block.length}⌉ = ${need} per frozen layer` : ''),
        fill,
      });
      for (const layer of block) {
        cells.push({
          plan: title, row: 'frozen layers', x1: layer - 0.45, x2: layer + 0.45, label: String(layer),
          tip: `frozen layer ${layer} → target layer ${b + 1}`, fill,
        });
      }
    });
  }
  const facet = layout === 'columns' ? { fx: 'plan' } : { fy: 'plan' };
  const height = layout === 'columns' ? 130 : 30 + plans.length * 110;
  const targets = cells.filter((c) => c.row === 'target layers');
  const frozen = cells.filter((c) => c.row === 'frozen layers');
  const bar = { x1: 'x1', x2: 'x2', y: 'row', fill: 'fill', title: 'tip', rx: 3, ...facet } as const;
  const text = { x: (c: Cell) => (c.x1 + c.x2) / 2, y: 'row', text: 'label', ...facet } as const;
  return themeSvg(Plot.plot({
    document,
    width,
    height,
        ariaLabel: opts.title,
    marginLeft: 90,
    marginTop: 24,
    marginBottom: 8,
    color: { type: 'identity' },
    x: { axis: null, domain: [0.5, L + 0.5] },
    y: { domain: ['target layers', 'frozen layers'], label: null, tickSize: 0, padding: 0.18 },
    fx: { label: null, axis: layout === 'columns' ? 'top' : null, padding: 0.08, domain: plans.map(planTitle) },
    fy: { label: null, axis: null, padding: 0.25, domain: plans.map(planTitle) },
    marks: [
      Plot.barX(targets, { ...bar, fillOpacity: 0.28, stroke: 'fill', className: 'll-target-layers' }),
      Plot.barX(frozen, { ...bar, fillOpacity: 0.75, className: 'll-frozen-layers' }),
      Plot.text(targets, { ...text, fill: 'currentColor', fontWeight: 600, className: 'll-labels' }),
      Plot.text(frozen, { ...text, fill: 'currentColor', className: 'll-labels' }),
      // Stacked plans: the plan's title above its panel (a right-hand facet axis would need a wide margin).
      ...(layout === 'rows'
        ? [Plot.text(plans.map(planTitle), { fy: (d: string) => d, text: (d: string) => d, frameAnchor: 'top-left', dy: -16, fontWeight: 600, className: 'll-plan-titles' })]
        : []),
    ],
  }));
}
