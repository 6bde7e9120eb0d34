/**
 * Rules for production architectures (theory §6, ours): per matrix, per attention head, and the
 * mapping of query heads to grouped KV heads.
 */
import { IGNORING_ROPE } from './caveats';
import { rankFromSingularValues, frobeniusErrorAfterRank, retainedEnergy, spectralErrorAfterRank } from './spectralErrors';
import { type RuleInfo, TheoryInputError } from './types';
import { ceilDiv, requireInteger } from './validate';

export interface PerMatrixRank extends RuleInfo {
  requiredRank: number;
}

/**
 * LoRA of rank r on one matrix reproduces its delta `ΔW = W̄ − W` exactly iff `r ≥ rank(ΔW)`.
 *
 * @param deltaRank `rank(ΔW)`
 * @param shape optional `{ inFeatures, outFeatures }`; the rank cannot exceed `min(in, out)`
 */
export function perMatrixRequiredRank(
  deltaRank: number,
  shape?: { inFeatures: number; outFeatures: number },
): PerMatrixRank {
  requireInteger(deltaRank, 'rank(ΔW)', 0);
  if (shape) {
    const bound = matrixRankBound(shape.inFeatures, shape.outFeatures).requiredRank;
    if (deltaRank > bound) {
      throw new TheoryInputError(`rank(ΔW)=${deltaRank} exceeds min(in, out)=${bound} for a ${shape.outFeatures}×${shape.inFeatures} matrix`);
    }
  }
  return {
    rule: 'per-matrix-delta-rank',
    ruleText: 'Per matrix (Eckart–Young–Mirsky): a rank-r update W + ABᵀ reproduces ΔW exactly if and only if r ≥ rank(ΔW).',
    guarantee: 'exact',
    requiredRank: deltaRank,
  };
}

export interface PerMatrixError extends RuleInfo {
  rank: number;
  /** `σ_{r+1}(ΔW)`, the best spectral error. */
  spectral: number;
  /** `sqrt(Σ_{k>r} σ_k²)`, the best Frobenius error. */
  frobenius: number;
  /** `Σ_{k≤r} σ_k² / Σ σ_k²`. */
  retainedEnergy: number;
  /** `rank(ΔW)` (σ > tol). */
  deltaRank: number;
  exact: boolean;
}

/**
 * Best errors of a rank-r update of one matrix, from the singular values of ΔW.
 *
 * @param sigmaDelta shape [n], singular values of ΔW, descending
 * @param r LoRA rank
 * @param tol rank tolerance (theory §7), default 0
 */
export function perMatrixError(sigmaDelta: readonly number[], r: number, tol = 0): PerMatrixError {
  requireInteger(r, 'LoRA rank r', 0);
  const deltaRank = rankFromSingularValues(sigmaDelta, tol);
  return {
    rule: 'per-matrix-best-approximation',
    ruleText:
      'Per matrix (Eckart–Young–Mirsky): the best rank-r update leaves spectral error σ_{r+1}(ΔW), Frobenius error sqrt(Σ_{k>r} σ_k²) and keeps Σ_{k≤r} σ_k²/Σ σ_k² of the energy.',
    guarantee: 'exact',
    rank: r,
    spectral: spectralErrorAfterRank(sigmaDelta, r),
    frobenius: frobeniusErrorAfterRank(sigmaDelta, r),
    retainedEnergy: retainedEnergy(sigmaDelta, r),
    deltaRank,
    exact: r >= deltaRank,
  };
}

/** Architecture-only: a rank-`min(in, out)` update reproduces any ΔW (no rank can exceed it). */
export function matrixRankBound(inFeatures: number, outFeatures: number): PerMatrixRank {
  requireInteger(inFeatures, 'in_features');
  requireInteger(outFeatures, 'out_features');
  return {
    rule: 'per-matrix-architecture-bound',
    ruleText: 'Per matrix, architecture only: rank(ΔW) ≤ min(in, out), so LoRA of rank min(in, out) reproduces any update.',
    guarantee: 'exact',
    requiredRank: Math.min(inFeatures, outFeatures),
  };
}

export interface PerHeadRank extends RuleInfo {
  requiredRank: number;
}

/**
 * Per attention head: Q/K enter the scores only through `W_K^{g(h)ᵀ} W_Q^h` and V/O only through
 * `W_O^h W_V^{g(h)}`; rank-R updates of both factors change such a product by rank ≤ 2R, so
 * `R ≥ ⌈G_h/2⌉` is NECESSARY (a lower bound), G_h the rank of the product gap.
 *
 * @param gap `G_h`, rank of the product gap of one head (or the max over heads)
 * @param usesRope rotary embeddings make the score product position-dependent: the bound ignores it
 */
export function perHeadRequiredRank(gap: number, usesRope: boolean): PerHeadRank {
  requireInteger(gap, 'G_h (product gap rank)', 0);
  return {
    rule: 'per-head-product-gap',
    ruleText:
      "Per attention head (the paper's pairing argument, LoRA Lens): rank-R updates of both factors change W_Kᵀ W_Q or W_O W_V by rank at most 2R, so reproducing a product gap of rank G_h needs R ≥ ⌈G_h/2⌉.",
    guarantee: 'lower-bound',
    caveats: usesRope ? [IGNORING_ROPE] : [],
    requiredRank: ceilDiv(gap, 2),
  };
}

/**
 * Per-head lower bound over all heads: `max_h ⌈G_h/2⌉`.
 * @param gaps shape [heads] (score and value gaps may be listed together)
 */
export function perHeadThreshold(gaps: readonly number[], usesRope: boolean): PerHeadRank & { perHead: number[] } {
  if (!Array.isArray(gaps) || gaps.length === 0) throw new TheoryInputError('at least one head gap is needed');
  const perHead = gaps.map((g) => perHeadRequiredRank(g, usesRope).requiredRank);
  return { ...perHeadRequiredRank(Math.max(...gaps), usesRope), perHead };
}

/**
 * KV head of query head h under grouped-query attention: `g(h) = ⌊h / (H/H_kv)⌋`, 0-based (as in
 * Hugging Face's `repeat_kv`: consecutive query heads share a KV head).
 *
 * @param h query head, 0 ≤ h < H
 * @param H number of query heads
 * @param Hkv number of KV heads, dividing H
 */
export function kvHeadOfQueryHead(h: number, H: number, Hkv: number): number {
  requireInteger(H, 'number of attention heads H');
  requireInteger(Hkv, 'number of KV heads H_kv');
  requireInteger(h, 'query head h', 0);
  if (H % Hkv !== 0) throw new TheoryInputError(`H=${H} attention heads are not divisible by H_kv=${Hkv} KV heads`);
  if (h >= H) throw new TheoryInputError(`query head ${h} out of range 0..${H - 1}`);
  return Math.floor(h / (H / Hkv));
}
