/** Plain-text rendering of a Report for terminals: a summary, then the key table of its kind. */
import { printable } from '../formats/config';
import type { Report, TransformerModuleReport } from '../protocol';

/** A number in at most 4 significant digits ("0" for zero, integers as they are). */
export function fmt(x: number): string {
  if (x === 0) return '0';
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return String(x);
  if (!Number.isFinite(x)) return String(x);
  const s = Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? x.toPrecision(4) : x.toExponential(3);
  return s.replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
}

/** 1234567 → "1,234,567". */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function partitionText(p: number[][]): string {
  return p.map((b) => `[${b.join(' ')}]`).join(' ');
}

export const KIND_TITLE: Record<Report['kind'], string> = {
  architecture: 'architecture only',
  fnn: 'FNN pair (frozen vs target)',
  transformer: 'Transformer pair (base vs fine-tuned)',
  adapter: 'PEFT LoRA adapter',
};

/** [label, value] facts shared by the text and Markdown summaries. Values are raw (unescaped). */
export function summaryFacts(r: Report): [string, string][] {
  const facts: [string, string][] = [['kind', `${r.kind} — ${KIND_TITLE[r.kind]}`]];
  facts.push([r.models.target ? 'base' : 'model', `${r.models.base.source} (${r.models.base.architecture}, ${thousands(r.models.base.parameters)} parameters)`]);
  if (r.models.target) facts.push(['target', `${r.models.target.source} (${r.models.target.architecture}, ${thousands(r.models.target.parameters)} parameters)`]);
  facts.push(['backend', r.backend ? `${r.backend.name} ${r.backend.version} (${r.backend.device})` : 'none (no tensor read)']);
  facts.push(['tolerance', r.tolerance.description]);
  facts.push(['time', `${r.seconds.toFixed(2)} s`]);
  return facts;
}

/** Tables as header + rows of raw cells; each renderer escapes and lays them out. */
export interface Table {
  title: string;
  header: string[];
  rows: string[][];
  /** Right-align these columns. */
  numeric?: boolean[];
}

export interface Section {
  /** Raw lines of prose (unescaped). */
  lines: string[];
  tables: Table[];
}

/** The kind-specific content, shared by text and Markdown. `rank` picks the summary row of error tables. */
export function reportSections(r: Report, rank?: number): Section {
  const lines: string[] = [];
  const tables: Table[] = [];
  if (r.architecture) {
    const a = r.architecture;
    if (a.transformer) {
      const t = a.transformer;
      lines.push(`Transformer ${t.modelType}: D = ${t.hiddenSize}, ${t.numLayers} layers, ${t.numHeads} heads (${t.numKeyValueHeads} key/value), head width ${t.headDim}${t.usesRope ? ', RoPE' : ''}.`);
      lines.push(`Worst-case LoRA rank ⌈D/2⌉ = ${t.worstCase.requiredRank} (${t.worstCase.guarantee}; ${(t.worstCase.caveats ?? []).join('; ')}).`);
    }
    if (a.fnn) {
      const f = a.fnn;
      lines.push(`FNN: width ${f.width}, frozen depth ${f.frozenDepth}, target depth ${f.targetDepth}: worst-case rank ⌈D/⌊L/L̄⌋⌉ = ${f.worstCase.requiredRank} with the uniform partition ${partitionText(f.worstCase.partition)}.`);
    }
    lines.push(`LoRA on every listed module costs ${thousands(a.loraParametersPerRankTotal)} parameters per unit of rank.`);
    tables.push({
      title: 'Modules',
      header: ['module', 'role', 'shape [out, in]', 'max useful rank', 'LoRA params / rank', 'break-even rank'],
      rows: a.modules.map((m) => [m.name, m.role, `[${m.shape.join(', ')}]`, String(m.maxUsefulRank), thousands(m.loraParametersPerRank), String(m.breakEvenRank)]),
      numeric: [false, false, false, true, true, true],
    });
  }
  if (r.fnn) {
    const f = r.fnn;
    lines.push(`Width D = ${f.width}, frozen depth L = ${f.frozenDepth}, target depth L̄ = ${f.targetDepth}.`);
    lines.push(`Uniform partition ${partitionText(f.uniform.partition)}: required rank ${f.uniform.requiredRank}; optimal partition ${partitionText(f.best.partition)}: required rank ${f.best.requiredRank}.`);
    lines.push(`The optimal-partition search asked ${f.best.oracleCalls} of ${f.best.candidateBlocks} candidate blocks; ${f.spectraComputed} discrepancy spectra were computed.`);
    lines.push(`Non-singularity hypothesis: ${f.nonSingularity.status}${f.nonSingularity.singular.length ? ` (singular: ${f.nonSingularity.singular.join(', ')}; the threshold may still hold)` : ''}. Checked: ${f.nonSingularity.checked}.`);
    if (f.finalLayerTuning) {
      lines.push(`Final-layer tuning: LoRA rank ${f.finalLayerTuning.loraRank} on every layer (${thousands(f.finalLayerTuning.loraParameters)} parameters) versus tuning the last L−1 layers (${thousands(f.finalLayerTuning.finalLayerParameters)} parameters), which almost surely cannot represent a one-layer target [reconstructed].`);
    }
    lines.push(`Bounds: ${f.bounds.input}. The paper's bound is reconstructed.`);
    tables.push({
      title: 'Partitions',
      header: ['partition', 'blocks', 'discrepancy ranks', 'required rank'],
      rows: [
        ['uniform', partitionText(f.uniform.partition), f.uniform.discrepancyRanks.join(', '), String(f.uniform.requiredRank)],
        ['optimal', partitionText(f.best.partition), f.best.discrepancyRanks.join(', '), String(f.best.requiredRank)],
      ],
      numeric: [false, false, false, true],
    });
    const ranks = rank !== undefined ? [rank] : Array.from({ length: Math.max(f.uniform.requiredRank, f.best.requiredRank) + 1 }, (_, k) => k);
    tables.push({
      title: 'Errors by rank (per-block spectral error σ_{R|P_i|+1}(E_i); whole-network bounds)',
      header: ['rank', 'uniform blocks', 'optimal blocks', 'rigorous bound (uniform)', 'rigorous bound (optimal)', 'paper bound (uniform) [reconstructed]'],
      rows: ranks.filter((R) => R <= f.width).map((R) => [
        String(R),
        f.uniform.blockErrors[R]!.spectral.map(fmt).join(', '),
        f.best.blockErrors[R]!.spectral.map(fmt).join(', '),
        fmt(f.bounds.rigorous.byRank[R]!.bound),
        fmt(f.bounds.rigorous.byRank[R]!.best),
        fmt(f.bounds.paper.byRank[R]!.bound),
      ]),
      numeric: [true, false, false, true, true, true],
    });
  }
  if (r.transformer) {
    const t = r.transformer;
    const changed = t.modules.filter((m) => m.status === 'changed');
    const invalid = t.modules.filter((m) => m.status === 'invalid');
    lines.push(`${changed.length} of ${t.modules.length} modules changed${invalid.length ? `, ${invalid.length} invalid (NaN/Inf)` : ''}; the rest are unchanged (ΔW rank 0).`);
    lines.push(`Recommended rank_pattern for ${t.target.kind === 'energy' ? `${t.target.value} of each delta's energy` : `relative spectral error ≤ ${t.target.value}`}: r = ${t.r}.`);
    if (t.heads.length > 0) {
      const caveat = t.heads[0]!.caveats.length ? ` (${t.heads[0]!.caveats.join(', ')})` : '';
      lines.push(`Attention heads: largest lower bound ⌈G/2⌉ = ${t.headLowerBound}${caveat}.`);
    }
    if (t.fullUpdateCheaper.length > 0) lines.push(`A full update is cheaper than LoRA at the recommended rank for: ${t.fullUpdateCheaper.map((c) => c.name).join(', ')}.`);
    const shown = [...changed, ...invalid];
    tables.push({
      title: 'Changed modules',
      header: ['module', 'shape [out, in]', 'ΔW rank', 'tolerance', 'σ₁', 'recommended rank', rank !== undefined ? `energy kept at r=${rank}` : 'status'],
      rows: shown.map((m) => [
        m.name, `[${m.shape.join(', ')}]`, m.status === 'invalid' ? '-' : String(m.deltaRank), m.status === 'invalid' ? '-' : fmt(m.tolerance),
        m.singularValues.length ? fmt(m.singularValues[0]!) : '-', String(t.rankPattern[m.name] ?? '-'),
        rank !== undefined && m.status === 'changed' ? fmt(energyAtRank(m, rank)) : m.status === 'invalid' ? `invalid: ${m.problem ?? ''}` : m.status,
      ]),
      numeric: [false, false, true, true, true, true, false],
    });
    const gapRows = t.heads.filter((h) => h.gap > 0);
    if (gapRows.length > 0) {
      tables.push({
        title: 'Head product gaps (nonzero)',
        header: ['layer', 'head', 'kv head', 'product', 'gap G', 'lower bound ⌈G/2⌉'],
        rows: gapRows.map((h) => [String(h.layer), String(h.head), String(h.kvHead), h.product === 'qk' ? 'Q·K' : 'O·V', String(h.gap), String(h.requiredRank)]),
        numeric: [true, true, true, false, true, true],
      });
    }
  }
  if (r.adapter) {
    const a = r.adapter;
    lines.push(`r = ${a.r}, lora_alpha = ${a.loraAlpha}${a.useRslora ? ' (rsLoRA)' : ''}; base model ${a.baseModel ?? '(not stated)'}.`);
    lines.push(`Wasted rank over all pairs: ${a.wastedRankTotal}.`);
    lines.push(...a.thresholdFindings);
    tables.push({
      title: 'LoRA pairs',
      header: ['module', 'configured r', 'effective rank', 'wasted', 'scale', 'σ₁(scale·B·A)', 'max useful rank'],
      rows: a.pairs.map((p) => [p.baseModule, String(p.configuredRank), String(p.effectiveRank), String(p.wastedRank), fmt(p.scale), fmt(p.singularValues[0] ?? 0), p.maxUsefulRank === null ? '-' : String(p.maxUsefulRank)]),
      numeric: [false, true, true, true, true, true, true],
    });
  }
  return { lines, tables };
}

/**
 * Retained energy of a module's delta at `rank`, from its error table (which ends at deltaRank + 1,
 * where the energy is already 1). Uses the table, not `atRank`, so exports at a panel budget that
 * differs from the analysis rank stay consistent with their column label.
 */
function energyAtRank(m: TransformerModuleReport, rank: number): number {
  const energy = m.errors.retainedEnergy;
  return energy.length === 0 ? 1 : energy[Math.min(rank, energy.length - 1)]!;
}

/** The rank_pattern a report recommends (transformer) or measures (adapter), if any. */
export function reportRankPattern(r: Report): Record<string, number> | undefined {
  if (r.transformer) return r.transformer.rankPattern;
  if (r.adapter) return r.adapter.effectiveRankPattern;
  return undefined;
}

export interface RenderOptions {
  /** Summary rank for error tables. */
  rank?: number;
}

/** The terminal rendering. Every string from a file goes through `printable` (no control characters). */
export function renderText(r: Report, options: RenderOptions = {}): string {
  const clean = (s: string): string => printable(s);
  const facts = summaryFacts(r);
  const w = Math.max(...facts.map(([k]) => k.length));
  const out = facts.map(([k, v]) => `${k.padEnd(w)}  ${clean(v)}`);
  const { lines, tables } = reportSections(r, options.rank);
  if (lines.length) out.push('', ...lines.map(clean));
  for (const t of tables) {
    out.push('', t.title, ...alignTable(t, clean));
  }
  const pattern = reportRankPattern(r);
  if (pattern && Object.keys(pattern).length > 0) {
    // Clean each line: the JSON's own line breaks are layout, not data from a file.
    out.push('', r.adapter ? 'effective rank_pattern' : 'rank_pattern', ...JSON.stringify(pattern, null, 2).split('\n').map(clean));
  }
  if (r.notes.length) out.push('', 'notes', ...r.notes.map((n) => `  - ${clean(n)}`));
  return `${out.join('\n')}\n`;
}

function alignTable(t: Table, clean: (s: string) => string): string[] {
  const all = [t.header, ...t.rows].map((row) => row.map(clean));
  const widths = t.header.map((_, i) => Math.max(...all.map((row) => [...(row[i] ?? '')].length)));
  return all.map((row) => row.map((cell, i) => {
    const pad = ' '.repeat(widths[i]! - [...cell].length);
    return t.numeric?.[i] ? pad + cell : cell + pad;
  }).join('  ').trimEnd());
}
