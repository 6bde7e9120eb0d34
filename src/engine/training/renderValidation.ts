/** Plain-text table of a ValidationResult: median test MSE per rank and method, threshold marked. */
import type { ValidationCurvePoint, ValidationResult } from '../../protocol';

function columnName(p: ValidationCurvePoint): string {
  if (p.method === 'final-layers') return 'final layers';
  return `${p.method}${p.bias === 'frozen' ? ' (frozen b)' : ''}`;
}

function formatMse(v: number | undefined): string {
  if (v === undefined) return '';
  if (Number.isNaN(v)) return 'failed';
  return v === 0 ? '0' : v.toExponential(2);
}

export function renderValidationTable(result: ValidationResult): string {
  const { request: req } = result;
  const columns = [...new Set(result.curves.map(columnName))];
  const ranks = [...new Set(result.curves.map((p) => p.rank))].sort((a, b) => a - b);
  const cell = new Map(result.curves.map((p) => [`${columnName(p)}/${p.rank}`, p]));
  const header = ['rank', ...columns];
  const rows = ranks.map((r) => {
    const mark = r === result.threshold ? '◀ threshold' : '';
    const values = columns.map((c) => {
      const p = cell.get(`${c}/${r}`);
      if (!p) return '';
      const extra = p.method === 'final-layers' ? ` (k=${p.tunedLayers})` : '';
      return formatMse(p.medianTestMse) + extra;
    });
    return [`${r}${r === result.threshold ? '*' : ''}`, ...values, mark];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < widths.length ? c.padStart(widths[i]) : c)).join('  ').trimEnd();
  const out = [
    `Validation by training: width D=${req.width}, frozen depth L=${req.frozenDepth}, target depth L̄=${req.targetDepth}, ${req.seeds} seed${req.seeds > 1 ? 's' : ''}`,
    `Partition ${JSON.stringify(result.partition)}; threshold R = ${result.threshold} (random weights: every discrepancy has rank D)`,
    `Median test MSE over seeds (${req.testSamples} Gaussian test inputs; frozen model unadapted: ${formatMse(result.baselineMedianTestMse)})`,
    '',
    line(header),
    ...rows.map(line),
    '',
  ];
  if (result.curves.some((p) => p.method !== 'construction')) {
    out.push(`Adam: ${req.steps} steps of ${req.batchSize} fresh inputs, learning rates ${req.learningRates.join(', ')} (best validation kept).`);
  }
  if (result.curves.some((p) => p.method === 'final-layers')) {
    out.push('final layers: the last k layers tuned (weights and biases), shown at the LoRA rank with the nearest parameter count.');
  }
  out.push(`Backend: ${result.backend ? `${result.backend.name} ${result.backend.version}` : 'none (construction only, float64)'}; ${result.seconds.toFixed(1)} s.`);
  return out.join('\n') + '\n';
}
