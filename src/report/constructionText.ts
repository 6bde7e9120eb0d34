/** The construction summary (engine/construct, `lora-lens construct`) as plain text for people. */
import type { ConstructionSummary } from '../protocol';

export function renderConstruction(c: ConstructionSummary): string {
  const e = (v: number) => v.toExponential(2);
  const lines = [
    `construction at rank ${c.rank}, partition ${c.partition.map((b) => `[${b.join(' ')}]`).join(' ')}: ${c.exactClaimed ? 'exact (every block has R·|P_i| ≥ rank(E_i))' : 'not exact: below the threshold in some block'}`,
    '',
    'target  frozen layers  rank(E_i)  directions  σ_{R|P_i|+1}(E_i)  measured ‖∏(W+ΔW) − W̄‖₂',
    ...c.blocks.map((b) => `${String(b.targetLayer).padStart(6)}  ${b.layers.join(',').padEnd(13)}  ${String(b.discrepancyRank).padStart(9)}  ${String(b.rankBudget).padStart(10)}  ${e(b.predictedSpectralError).padStart(17)}  ${e(b.measuredSpectralError)}`),
    '',
    `test MSE against the target: frozen ${e(c.check.frozenMse)}; adapted ${e(c.check.adaptedMseOnFitInputs)} on the ${c.check.samples} inputs the biases were fitted on, ${e(c.check.adaptedMseOnFreshInputs)} on ${c.check.samples} fresh ones`,
    `the adapter as written (${c.dtype}): ${e(c.check.storedMseOnFreshInputs)} on the fresh inputs; largest bias ${e(c.check.largestBias)}`,
    `wrote ${c.files.weightsFile}`,
    `wrote ${c.files.configFile}`,
    ...c.notes.map((n) => `note: ${n}`),
  ];
  return `${lines.join('\n')}\n`;
}
