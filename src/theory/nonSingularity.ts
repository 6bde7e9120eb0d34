/** The non-singularity hypothesis of the FNN construction (theory §2). */
import { HYPOTHESIS_NOT_MET, HYPOTHESIS_UNCHECKED } from './caveats';
import type { RuleInfo } from './types';
import { requireNonNegative } from './validate';

/**
 * One matrix the construction needs invertible: a frozen `W_l`, or `∏_{l∈P_i} W_l + LR_r(E_i)` for
 * `r = R, 2R, …, R(|P_i|−1)`. The engine reports its smallest singular value and the tolerance
 * below which it counts as singular (theory §7: `max(m,n)·ε_dtype·scale`).
 */
export interface InvertibilityCheck {
  /** Human-readable name, e.g. 'W_3' or 'W_4 W_3 + LR_8(E_2)'. */
  label: string;
  minSingularValue: number;
  /** Singular when `minSingularValue ≤ tolerance`. Default 0. */
  tolerance?: number;
}

export type HypothesisStatus = 'met' | 'not-met' | 'unchecked';

export interface NonSingularityResult extends RuleInfo {
  status: HypothesisStatus;
  /** Labels of the matrices found singular. */
  singular: string[];
}

/**
 * Evaluates the non-singularity hypothesis from the engine's checks. When it fails, the threshold
 * results keep their value but must carry the caveat "hypothesis not met; the threshold may still hold".
 *
 * @param checks one entry per matrix that must be invertible; an empty list means "not checked"
 */
export function nonSingularityHypothesis(checks: readonly InvertibilityCheck[]): NonSingularityResult {
  const singular: string[] = [];
  for (const c of checks) {
    requireNonNegative(c.minSingularValue, `smallest singular value of ${c.label}`);
    const tol = requireNonNegative(c.tolerance ?? 0, `tolerance for ${c.label}`);
    if (c.minSingularValue <= tol) singular.push(c.label);
  }
  const status: HypothesisStatus = checks.length === 0 ? 'unchecked' : singular.length > 0 ? 'not-met' : 'met';
  const caveats =
    status === 'not-met'
      ? [HYPOTHESIS_NOT_MET, `singular: ${singular.join(', ')}`]
      : status === 'unchecked'
        ? [HYPOTHESIS_UNCHECKED]
        : [];
  return {
    rule: 'fnn-non-singularity',
    ruleText:
      'Zeng & Lee (ICLR 2024), hypothesis of the FNN construction: frozen weights invertible and ∏_{l∈P_i} W_l + LR_r(E_i) invertible for r = R, 2R, …, R(|P_i|−1); random weights satisfy it almost surely.',
    guarantee: 'exact',
    caveats,
    status,
    singular,
  };
}
