/** Human renderings of a ThresholdAnswer: an aligned table (CLI) and one sentence (notifications). */
import { describeGuarantee, formatPartition } from '../theory';
import type { ThresholdAnswer } from './threshold';

export function renderThresholdTable(a: ThresholdAnswer): string {
  const rows: [string, string][] = [];
  if (a.kind === 'fnn') {
    rows.push(['width D', String(a.width)], ['frozen depth L', String(a.depth)], ['target depth L̄', String(a.targetDepth)]);
    rows.push(['depth ratio M = ⌊L/L̄⌋', String(a.depthRatio)], ['uniform partition', formatPartition(a.partition ?? [])]);
    for (const b of a.blocks ?? []) {
      rows.push([`block ${b.targetLayer}`, `rank(E) = ${b.discrepancyRank} over ${b.layers.length} layer(s) → ${b.requiredRank}`]);
    }
  } else {
    rows.push(['embedding D', String(a.embedding)]);
    if (a.gaps) rows.push(['gaps G_i', a.gaps.join(', ')]);
  }
  rows.push(['required LoRA rank', `${a.requiredRank}  — ${describeGuarantee(a.guarantee)}`]);
  if (a.headline !== undefined && a.headlineCeil !== undefined && a.headlineCeil !== a.requiredRank) {
    rows.push(['headline D·L̄/L', `${round(a.headline)} (⌈⌉ = ${a.headlineCeil}; not guaranteed when L̄ does not divide L)`]);
  }
  rows.push(['LoRA parameters', `${a.loraParameters.toLocaleString('en-US')}  (${a.loraParametersNote})`]);
  rows.push(['rule', a.rule + (a.reconstructed ? ' [reconstructed]' : '')]);
  const width = Math.max(...rows.map(([k]) => displayWidth(k)));
  const lines = [a.kind === 'fnn' ? 'FNN rank threshold' : 'Transformer rank threshold'];
  for (const [k, v] of rows) lines.push(`  ${k}${' '.repeat(width - displayWidth(k))}  ${v}`);
  lines.push('', `  ${a.ruleText}`);
  for (const c of a.caveats) lines.push(`  note: ${c}`);
  return lines.join('\n') + '\n';
}

export function summarizeThreshold(a: ThresholdAnswer): string {
  const what =
    a.kind === 'fnn'
      ? `FNN D=${a.width}, L=${a.depth}, L̄=${a.targetDepth}: partition ${formatPartition(a.partition ?? [])}`
      : `Transformer D=${a.embedding}${a.gaps ? `, gaps ${a.gaps.join(',')}` : ''}`;
  return `LoRA rank ${a.requiredRank} [${describeGuarantee(a.guarantee)}] for ${what}. Rule: ${a.rule}.`;
}

/** Columns a label takes in a terminal: combining marks (the bar of L̄) take none. */
function displayWidth(text: string): number {
  return [...text.replace(/\p{M}/gu, '')].length;
}

function round(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
