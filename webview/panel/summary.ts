/** The summary cards at the top of the panel: models, analysis, the budget's totals, the recommendation. */
import type { Report } from '../../src/protocol';
import type { BudgetSummary } from '../../src/panel/budget';
import { formatCount, formatError, formatPercent, formatSeconds } from '../../src/panel/format';
import { describeGuarantee } from '../../src/theory/format';
import { h, type Child } from './dom';

function card(title: string, ...lines: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h3', {}, title), ...lines);
}

function line(label: string, value: Child, title?: string): HTMLElement {
  return h('div', { class: 'kv', title }, h('span', { class: 'k' }, label), h('span', { class: 'v' }, value));
}

const KIND_LABEL: Record<Report['kind'], string> = {
  architecture: 'Architecture only',
  fnn: 'FNN pair (frozen → target)',
  transformer: 'Base vs fine-tuned',
  adapter: 'PEFT adapter audit',
};

/** Static cards (do not change with the budget). */
export function staticCards(report: Report): HTMLElement[] {
  const { base, target } = report.models;
  const models = card('Models',
    line('base', h('span', { class: 'path', title: base.source }, base.source)),
    line('', `${base.architecture} · ${formatCount(base.parameters)} parameters`),
    target ? line('target', h('span', { class: 'path', title: target.source }, target.source)) : null,
    target ? line('', `${target.architecture} · ${formatCount(target.parameters)} parameters`) : null,
  );
  const backend = report.backend ? `${report.backend.name} ${report.backend.version} (${report.backend.device})` : 'none (no tensors read)';
  const analysis = card('Analysis',
    line('kind', KIND_LABEL[report.kind]),
    line('backend', backend),
    line('time', formatSeconds(report.seconds), `created ${report.createdAt}`),
    line('tolerance', report.tolerance.mode === 'dtype' ? `dtype-aware ×${report.tolerance.value}` : `relative ${report.tolerance.value}`, report.tolerance.description),
  );
  return [models, analysis, recommendationCard(report)];
}

function recommendationCard(report: Report): HTMLElement {
  if (report.transformer) {
    const t = report.transformer;
    const target = t.target.kind === 'energy' ? `${formatPercent(t.target.value)} of each ΔW's energy` : `relative error ≤ ${t.target.value}`;
    return card('Recommendation',
      line('rank_pattern r', String(t.r), `Largest rank of the recommended rank_pattern (${target})`),
      line('modules', `${Object.keys(t.rankPattern).length} changed of ${t.modules.length}`),
      line('heads (≥)', String(t.headLowerBound), 'Largest ⌈G/2⌉ over heads: a lower bound (necessary), ignoring RoPE where used'),
      t.fullUpdateCheaper.length > 0 ? line('full cheaper', `${t.fullUpdateCheaper.length} module(s)`) : null,
    );
  }
  if (report.fnn) {
    const f = report.fnn;
    return card('Partition plan',
      line('frozen → target', `L = ${f.frozenDepth} → L̄ = ${f.targetDepth}, width ${f.width}`),
      line('uniform', `rank ${f.uniform.requiredRank}`, f.uniform.ruleText),
      line('optimal', `rank ${f.best.requiredRank} (${describeGuarantee(f.best.guarantee)})`, f.best.ruleText),
      line('non-singular', f.nonSingularity.status, f.nonSingularity.checked),
    );
  }
  if (report.adapter) {
    const a = report.adapter;
    return card('Adapter',
      line('r / alpha', `${a.r} / ${a.loraAlpha}${a.useRslora ? ' (rsLoRA)' : ''}`),
      line('pairs', String(a.pairs.length)),
      line('wasted rank', String(a.wastedRankTotal), 'Configured rank minus effective rank, summed over pairs'),
      a.baseModel ? line('base', h('span', { class: 'path', title: a.baseModel }, a.baseModel)) : null,
    );
  }
  const arch = report.architecture;
  const t = arch?.transformer;
  const f = arch?.fnn;
  return card('Thresholds',
    t ? line('worst case', `rank ${t.worstCase.requiredRank}`, t.worstCase.ruleText) : null,
    t ? line('model', `${t.modelType}: D = ${t.hiddenSize}, ${t.numLayers} layers, ${t.numHeads} heads`) : null,
    f ? line('worst case', `rank ${f.worstCase.requiredRank}`, f.worstCase.ruleText) : null,
    arch ? line('LoRA / rank', formatCount(arch.loraParametersPerRankTotal), 'LoRA parameters per unit of rank with every module adapted') : null,
  );
}

/** The card that follows the budget. */
export function budgetCard(summary: BudgetSummary): HTMLElement {
  const meeting = `${summary.meeting} of ${summary.rows}`;
  return card(`At rank budget r = ${summary.budget}`,
    line('meet required', meeting, 'Rows whose required rank the budget reaches'),
    line('LoRA params', `${formatCount(summary.loraParameters)} vs full ${formatCount(summary.fullParameters)}`, 'Over rows that need an update'),
    summary.worstRelativeSpectral !== null ? line('worst rel. err', formatError(summary.worstRelativeSpectral), 'Largest σᵣ₊₁/σ₁ over rows') : null,
    summary.worstRetained !== null ? line('least energy', formatPercent(summary.worstRetained)) : null,
    summary.fullCheaper > 0 ? line('full cheaper', `${summary.fullCheaper} row(s)`) : null,
  );
}
