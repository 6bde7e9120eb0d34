/**
 * The analysis panel's table model: one row per module (Transformer, adapter, architecture) or per
 * block of a partition (FNN), built once from a Report. Everything that depends on the rank budget is
 * computed later by `metricsAtBudget` (budget.ts) from the cached singular values. Pure: no DOM, no
 * VS Code; unit-tested in Node and bundled into the webview.
 */
import type { Guarantee, Report, RuleRef } from '../protocol';
import { ceilDiv } from '../theory/validate';

export type RowSource = 'module' | 'block' | 'pair' | 'architecture';
/** Which FNN partition the table shows. */
export type PlanChoice = 'best' | 'uniform';

export interface PanelRow {
  /** Unique within the table (module name, or `uniform:2` for an FNN block). */
  id: string;
  /** Display name: module key, or "target layer 2" (untrusted text from the model files). */
  name: string;
  source: RowSource;
  role: string;
  layer: number | null;
  /** [out, in] of one matrix (for FNN blocks: of each frozen layer, D×D). */
  shape: [number, number] | null;
  /** What was measured: rank(ΔW), rank(E_i) or the effective rank of B·A; null when nothing was. */
  measuredRank: number | null;
  measuredLabel: string;
  /** Rank the rule requires, with the rule and how far it can be trusted. */
  requiredRank: number;
  rule: RuleRef;
  /** σ descending (ΔW, E_i or scale·B·A); null when no tensor was read (architecture reports). */
  sigma: readonly number[] | null;
  /** Frozen layers of the block (FNN): rank r on each corrects up to r·layers of E_i. 1 otherwise. */
  layers: number;
  /** Largest rank that changes anything: min(in, out). */
  maxUsefulRank: number;
  /** LoRA parameters per unit of rank: (in + out)·layers. */
  loraPerRank: number;
  /** Parameters of a full update of the same matrices: in·out·layers. */
  fullParameters: number;
  /** Tolerance the measured rank used. */
  tolerance: number | null;
  /** 'changed', 'unchanged', 'invalid', 'wasted 3', … shown as a badge; empty when nothing to say. */
  status: string;
  problem?: string;
  /** Only the adapter: rank the adapter was configured with. */
  configuredRank?: number;
}

export interface HeadRow {
  layer: number;
  head: number;
  kvHead: number;
  product: 'qk' | 'ov';
  gap: number;
  requiredRank: number;
  caveats: string[];
}

const architectureBoundRule = (): RuleRef => ({
  rule: 'per-matrix-architecture-bound',
  ruleText: 'Per matrix, architecture only: rank(ΔW) ≤ min(in, out), so LoRA of rank min(in, out) reproduces any update.',
  guarantee: 'exact',
});

const deltaRankRule = (guarantee: Guarantee = 'exact'): RuleRef => ({
  rule: 'per-matrix-delta-rank',
  ruleText: 'Per matrix (Eckart–Young–Mirsky): a rank-r update reproduces B·A (or ΔW) exactly if and only if r ≥ its rank.',
  guarantee,
});

/** Rows of the main table for a report (for FNN reports: of the chosen partition). */
export function buildRows(report: Report, plan: PlanChoice = 'best'): PanelRow[] {
  if (report.transformer) return transformerRows(report);
  if (report.fnn) return fnnRows(report, plan);
  if (report.adapter) return adapterRows(report);
  if (report.architecture) return architectureRows(report);
  return [];
}

function transformerRows(report: Report): PanelRow[] {
  return (report.transformer?.modules ?? []).map((m) => {
    const [out, inn] = m.shape;
    return {
      id: m.name,
      name: m.name,
      source: 'module',
      role: m.role,
      layer: m.layer,
      shape: m.shape,
      measuredRank: m.status === 'invalid' ? null : m.deltaRank,
      measuredLabel: 'rank(ΔW)',
      requiredRank: m.requirement.requiredRank,
      rule: m.requirement,
      sigma: m.status === 'changed' ? m.singularValues : m.status === 'unchanged' ? [] : null,
      layers: 1,
      maxUsefulRank: Math.min(out, inn),
      loraPerRank: out + inn,
      fullParameters: out * inn,
      tolerance: m.tolerance,
      status: m.status,
      problem: m.problem,
    };
  });
}

function fnnRows(report: Report, plan: PlanChoice): PanelRow[] {
  const fnn = report.fnn;
  if (!fnn) return [];
  const p = plan === 'best' ? fnn.best : fnn.uniform;
  const D = fnn.width;
  return p.partition.map((block, i) => ({
    id: `${plan}:${i + 1}`,
    name: `target layer ${i + 1}`,
    source: 'block' as const,
    role: `frozen ${block.length === 1 ? 'layer' : 'layers'} ${block[0]}${block.length > 1 ? `–${block[block.length - 1]}` : ''}`,
    layer: i + 1,
    shape: [D, D] as [number, number],
    measuredRank: p.discrepancyRanks[i] ?? null,
    measuredLabel: 'rank(E)',
    requiredRank: ceilDiv(p.discrepancyRanks[i] ?? 0, block.length),
    rule: { rule: p.rule, ruleText: p.ruleText, guarantee: p.guarantee, reconstructed: p.reconstructed, caveats: p.caveats },
    sigma: p.discrepancySpectra[i] ?? null,
    layers: block.length,
    maxUsefulRank: D,
    loraPerRank: 2 * D * block.length,
    fullParameters: D * D * block.length,
    tolerance: p.tolerances[i] ?? null,
    status: '',
  }));
}

function adapterRows(report: Report): PanelRow[] {
  return (report.adapter?.pairs ?? []).map((pair) => {
    const [out, inn] = pair.shape;
    return {
      id: pair.baseModule,
      name: pair.baseModule,
      source: 'pair',
      role: roleOf(pair.baseModule),
      layer: layerOf(pair.baseModule),
      shape: pair.shape,
      measuredRank: pair.effectiveRank,
      measuredLabel: 'effective rank',
      requiredRank: pair.effectiveRank,
      rule: deltaRankRule(),
      sigma: pair.singularValues,
      layers: 1,
      maxUsefulRank: pair.maxUsefulRank ?? Math.min(out, inn),
      loraPerRank: out + inn,
      fullParameters: out * inn,
      tolerance: pair.tolerance,
      status: pair.wastedRank > 0 ? `wastes ${pair.wastedRank} of ${pair.configuredRank}` : `uses all ${pair.configuredRank}`,
      configuredRank: pair.configuredRank,
    };
  });
}

function architectureRows(report: Report): PanelRow[] {
  return (report.architecture?.modules ?? []).map((m) => ({
    id: m.name,
    name: m.name,
    source: 'architecture' as const,
    role: m.role,
    layer: m.layer,
    shape: m.shape,
    measuredRank: null,
    measuredLabel: 'rank',
    requiredRank: m.maxUsefulRank,
    rule: architectureBoundRule(),
    sigma: null,
    layers: 1,
    maxUsefulRank: m.maxUsefulRank,
    loraPerRank: m.loraParametersPerRank,
    fullParameters: m.fullUpdateParameters,
    tolerance: null,
    status: '',
  }));
}

/** Head rows of a Transformer report (product gaps; lower bounds). */
export function buildHeadRows(report: Report): HeadRow[] {
  return (report.transformer?.heads ?? []).map((h) => ({ ...h }));
}

/** `q_proj` from `model.layers.0.self_attn.q_proj` (the last name segment). */
function roleOf(name: string): string {
  const parts = name.split('.');
  return parts[parts.length - 1] ?? name;
}

/** The first integer segment of a dotted module name, e.g. 0 in `model.layers.0.self_attn.q_proj`. */
function layerOf(name: string): number | null {
  for (const part of name.split('.')) if (/^\d+$/.test(part)) return Number(part);
  return null;
}

/** Largest budget worth offering: the largest min(in, out) over the rows (at least 1). */
export function maxBudget(rows: readonly PanelRow[]): number {
  let max = 1;
  for (const row of rows) max = Math.max(max, row.maxUsefulRank);
  return max;
}

/** The panel's key for a report: base path + target path (one panel per model). */
export function reportKey(report: Report): string {
  return `${report.models.base.source}\u0000${report.models.target?.source ?? ''}`;
}

/** Short title for the panel's tab: "LoRA Lens: tiny-llama-finetuned vs tiny-llama-base". */
export function reportTitle(report: Report): string {
  const base = lastSegment(report.models.base.source);
  const target = report.models.target ? lastSegment(report.models.target.source) : undefined;
  return target ? `LoRA Lens: ${target} vs ${base}` : `LoRA Lens: ${base}`;
}

function lastSegment(path: string): string {
  const parts = path.split(/[\\/]+/).filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? path;
}
