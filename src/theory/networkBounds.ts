/**
 * Whole-network error bounds for FNNs below the threshold (theory §3). Inputs are plain norms the
 * engine computed; block errors `E_i` come from {@link blockErrors} (spectral).
 */
import { NON_SINGULARITY_ASSUMED } from './caveats';
import { type RuleInfo, TheoryInputError } from './types';
import { requireNonNegative } from './validate';

export interface RigorousBoundInput {
  /** Shape [L̄]: `‖W̄_i‖₂`, spectral norms of the target weights. */
  targetSpectralNorms: readonly number[];
  /** Shape [L̄]: `‖b̄_i‖₂`. */
  targetBiasNorms: readonly number[];
  /** Shape [L̄]: per-block spectral errors `E_i` left by the construction. */
  blockErrors: readonly number[];
  /** `tr Σ = E‖x‖²`, Σ = E[xxᵀ] the input second moment. */
  inputSecondMomentTrace: number;
}

export interface NetworkBoundResult extends RuleInfo {
  /** The bound on `E‖f(x) − f̄(x)‖₂`. */
  bound: number;
  /** Shape [L̄]: contribution of each block to the sum. */
  terms: number[];
}

/** Checks that every array has length L̄ ≥ 1 and finite non-negative entries. */
function requireNormArrays(arrays: Record<string, readonly number[]>): number {
  const names = Object.keys(arrays);
  const Lbar = arrays[names[0]]?.length ?? 0;
  if (Lbar < 1) throw new TheoryInputError(`${names[0]} must list one value per target layer`);
  for (const name of names) {
    const a = arrays[name];
    if (!Array.isArray(a) || a.length !== Lbar) {
      throw new TheoryInputError(`${name} has ${Array.isArray(a) ? a.length : 'no'} entries, expected ${Lbar} (one per target layer)`);
    }
    a.forEach((v, i) => requireNonNegative(v, `${name}[${i + 1}]`));
  }
  return Lbar;
}

/**
 * Rigorous bound (ours): with `B_0 = sqrt(tr Σ)`, `B_j = ‖W̄_j‖₂ B_{j−1} + ‖b̄_j‖₂`,
 * `E‖f(x) − f̄(x)‖₂ ≤ Σ_i [∏_{k>i} (‖W̄_k‖₂ + E_k)] · E_i · B_{i−1}`; zero iff every `E_i = 0`.
 */
export function rigorousNetworkBound(input: RigorousBoundInput): NetworkBoundResult {
  const Lbar = requireNormArrays({
    targetSpectralNorms: input.targetSpectralNorms,
    targetBiasNorms: input.targetBiasNorms,
    blockErrors: input.blockErrors,
  });
  requireNonNegative(input.inputSecondMomentTrace, 'inputSecondMomentTrace');
  const W = input.targetSpectralNorms;
  const b = input.targetBiasNorms;
  const E = input.blockErrors;
  // B[j] bounds E‖z̄_j‖ (target activations after layer j); B[0] bounds E‖x‖ by Jensen.
  const B = [Math.sqrt(input.inputSecondMomentTrace)];
  for (let j = 1; j < Lbar; j++) B.push(W[j - 1] * B[j - 1] + b[j - 1]);
  const terms: number[] = [];
  for (let i = 1; i <= Lbar; i++) {
    let growth = 1;
    for (let k = i + 1; k <= Lbar; k++) growth *= W[k - 1] + E[k - 1];
    // Guard: 0 · ∞ is NaN if the product of growth factors overflows.
    terms.push(E[i - 1] === 0 ? 0 : growth * E[i - 1] * B[i - 1]);
  }
  return {
    rule: 'fnn-network-bound-rigorous',
    ruleText:
      'Rigorous bound (LoRA Lens, from the construction of Zeng & Lee): E‖f(x) − f̄(x)‖₂ ≤ Σ_i [∏_{k>i}(‖W̄_k‖₂ + E_k)]·E_i·B_{i−1}, B_0 = sqrt(tr Σ), B_j = ‖W̄_j‖₂B_{j−1} + ‖b̄_j‖₂; zero exactly when every block error is zero.',
    guarantee: 'exact',
    caveats: [NON_SINGULARITY_ASSUMED, 'an upper bound on the error of the construction, not the best achievable error'],
    bound: terms.reduce((s, t) => s + t, 0),
    terms,
  };
}

export interface PaperBoundInput {
  /** Shape [L̄]: `‖W̄_i‖_F`. */
  targetFrobeniusNorms: readonly number[];
  /** Shape [L̄]: `‖b̄_i‖₂`. */
  targetBiasNorms: readonly number[];
  /** Shape [L̄]: per-block spectral errors `E_i`. */
  blockErrors: readonly number[];
  /** `‖Σ‖_F`, Σ = E[xxᵀ]. */
  inputSecondMomentFrobenius: number;
}

export interface PaperBoundResult extends NetworkBoundResult {
  /** `β` in our reading. */
  beta: number;
  /** `ρ = max_k (‖W̄_k‖_F + E_k)`. */
  growth: number;
}

/**
 * The paper's whole-network bound **[reconstructed]**, in this exact reading:
 * `β · Σ_{i=1}^{L̄} ρ^{L̄−i} · E_i` with `ρ = max_{k=1..L̄} (‖W̄_k‖_F + E_k)` and
 * `β = max_{j=0..L̄−1} C_j`, `C_0 = sqrt(‖Σ‖_F)`, `C_j = ‖W̄_j‖_F C_{j−1} + ‖b̄_j‖₂`
 * (a Frobenius-norm bound on every target activation that enters a block).
 */
export function paperNetworkBound(input: PaperBoundInput): PaperBoundResult {
  const Lbar = requireNormArrays({
    targetFrobeniusNorms: input.targetFrobeniusNorms,
    targetBiasNorms: input.targetBiasNorms,
    blockErrors: input.blockErrors,
  });
  requireNonNegative(input.inputSecondMomentFrobenius, 'inputSecondMomentFrobenius');
  const W = input.targetFrobeniusNorms;
  const b = input.targetBiasNorms;
  const E = input.blockErrors;
  const C = [Math.sqrt(input.inputSecondMomentFrobenius)];
  for (let j = 1; j < Lbar; j++) C.push(W[j - 1] * C[j - 1] + b[j - 1]);
  const beta = Math.max(...C);
  const growth = Math.max(...W.map((w, k) => w + E[k]));
  const terms = E.map((e, idx) => (e === 0 ? 0 : beta * growth ** (Lbar - (idx + 1)) * e));
  return {
    rule: 'fnn-network-bound-paper',
    ruleText:
      "Zeng & Lee (ICLR 2024), FNN approximation error below the threshold, in LoRA Lens's reading: E‖f(x) − f̄(x)‖₂ ≤ β·Σ_{i=1}^{L̄} ρ^{L̄−i}·E_i with ρ = max_{k=1..L̄}(‖W̄_k‖_F + E_k), β = max_{j=0..L̄−1} C_j, C_0 = sqrt(‖Σ‖_F), C_j = ‖W̄_j‖_F·C_{j−1} + ‖b̄_j‖₂.",
    guarantee: 'heuristic',
    reconstructed: true,
    caveats: [
      'statement reconstructed: the exact index ranges of the paper are uncertain',
      'sqrt(‖Σ‖_F) can be smaller than E‖x‖ ≤ sqrt(tr Σ) (e.g. Σ = I), so this reading is not a proven upper bound; prefer the rigorous bound',
      NON_SINGULARITY_ASSUMED,
    ],
    bound: terms.reduce((s, t) => s + t, 0),
    terms,
    beta,
    growth,
  };
}
