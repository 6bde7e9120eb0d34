/**
 * Errors left below the threshold, from singular values (theory §3 and §6). Singular values are
 * 1-based in the formulas (σ_1 largest), stored 0-based in arrays sorted descending, and σ_k = 0
 * beyond the array.
 */
import { NON_SINGULARITY_ASSUMED } from './caveats';
import { depthRatio, isUniformPartition, partitionShape } from './partition';
import { type ErrorNorm, type Partition, type RuleInfo, TheoryInputError } from './types';
import { ceilDiv, requireInteger, requireNonNegative, requireSingularValues } from './validate';

/** `σ_{k+1}`: spectral error of the best rank-k approximation (Eckart–Young–Mirsky). */
export function spectralErrorAfterRank(sigma: readonly number[], k: number): number {
  requireSingularValues(sigma);
  requireInteger(k, 'rank k', 0);
  return k < sigma.length ? sigma[k] : 0;
}

/** `sqrt(Σ_{j>k} σ_j²)`: Frobenius error of the best rank-k approximation. */
export function frobeniusErrorAfterRank(sigma: readonly number[], k: number): number {
  requireSingularValues(sigma);
  requireInteger(k, 'rank k', 0);
  return Math.sqrt(tailSquares(sigma, k));
}

/**
 * `Σ_{j≤k} σ_j² / Σ_j σ_j²`: fraction of the squared Frobenius norm a rank-k approximation keeps.
 * A zero matrix needs nothing, so its retained energy is 1.
 */
export function retainedEnergy(sigma: readonly number[], k: number): number {
  requireSingularValues(sigma);
  requireInteger(k, 'rank k', 0);
  const total = tailSquares(sigma, 0);
  if (total === 0) return 1;
  let head = 0;
  for (let j = 0; j < Math.min(k, sigma.length); j++) head += sigma[j] * sigma[j];
  return Math.min(1, head / total);
}

/** `#{k : σ_k > tol}`. The tolerance policy (theory §7) belongs to the caller; default 0. */
export function rankFromSingularValues(sigma: readonly number[], tol = 0): number {
  requireSingularValues(sigma);
  requireNonNegative(tol, 'rank tolerance');
  let r = 0;
  while (r < sigma.length && sigma[r] > tol) r++;
  return r;
}

/** `Σ_{j>k} σ_j²`, summed smallest first for accuracy. */
function tailSquares(sigma: readonly number[], k: number): number {
  let sum = 0;
  for (let j = sigma.length - 1; j >= k; j--) sum += sigma[j] * sigma[j];
  return sum;
}

/**
 * `tail[k] = Σ_{j>k} σ_j²` for k = 0…n (1-based σ; i.e. the sum over 0-based indices ≥ k), `tail[n] = 0`.
 * @returns shape [n+1]
 */
function tailSquareSums(sigma: readonly number[]): Float64Array {
  const tail = new Float64Array(sigma.length + 1);
  for (let j = sigma.length - 1; j >= 0; j--) tail[j] = tail[j + 1] + sigma[j] * sigma[j];
  return tail;
}

/** Spectral and Frobenius errors after a rank-k approximation. */
export interface ErrorPair {
  spectral: number;
  frobenius: number;
}

export interface LinearModelErrorResult extends RuleInfo, ErrorPair {
  /** LoRA rank R per layer. */
  rank: number;
  /** Number of frozen layers L. */
  layers: number;
  /** `R·L`, the rank the adapted product can correct. */
  correctableRank: number;
  /** `rank(E)` (σ > tol). */
  discrepancyRank: number;
  /** `⌈rank(E)/L⌉`: smallest R with zero error. */
  requiredRank: number;
  /** Whether R reaches the threshold (error 0). */
  exact: boolean;
}

/**
 * Linear model, one target layer: the best `‖∏(W_l + ΔW_l) − W̄‖` with rank-R updates is
 * `σ_{RL+1}(E)` (spectral) and `sqrt(Σ_{k>RL} σ_k²)` (Frobenius); exact iff `R ≥ ⌈rank(E)/L⌉`.
 *
 * @param sigmaE shape [n], singular values of `E = W̄ − W_L ⋯ W_1`, descending
 * @param R LoRA rank per layer
 * @param L number of frozen layers
 * @param tol rank tolerance for `rank(E)` (default 0)
 */
export function linearModelError(sigmaE: readonly number[], R: number, L: number, tol = 0): LinearModelErrorResult {
  requireInteger(R, 'R (LoRA rank)', 0);
  requireInteger(L, 'L (frozen depth)');
  const discrepancyRank = rankFromSingularValues(sigmaE, tol);
  const correctableRank = R * L;
  const requiredRank = ceilDiv(discrepancyRank, L);
  return {
    rule: 'linear-model-optimum',
    ruleText:
      'Zeng & Lee (ICLR 2024), linear model: with rank-R updates on L frozen layers the best spectral error is σ_{RL+1}(E) and the best Frobenius error sqrt(Σ_{k>RL} σ_k²(E)); R ≥ ⌈rank(E)/L⌉ is necessary and sufficient.',
    guarantee: 'exact',
    caveats: [NON_SINGULARITY_ASSUMED],
    rank: R,
    layers: L,
    correctableRank,
    spectral: spectralErrorAfterRank(sigmaE, correctableRank),
    frobenius: frobeniusErrorAfterRank(sigmaE, correctableRank),
    discrepancyRank,
    requiredRank,
    exact: R >= requiredRank,
  };
}

/**
 * Which block size multiplies R in the per-block error: the paper's uniform `M` for every block
 * (`σ_{RM+1}`, uniform partition only), or each block's own size (`σ_{R|P_i|+1}`, any partition;
 * never larger, since the last uniform block may be longer than M).
 */
export type BlockSizeMode = 'uniform-M' | 'block-size';

export interface BlockErrorEntry extends ErrorPair {
  targetLayer: number;
  layers: number[];
  /** M or |P_i|, per `mode`. */
  multiplier: number;
  /** `R · multiplier`. */
  correctableRank: number;
}

export interface BlockErrorsResult extends RuleInfo {
  mode: BlockSizeMode;
  blocks: BlockErrorEntry[];
  /** Largest per-block spectral error. */
  maxSpectral: number;
}

/**
 * Per-block errors the construction leaves below the threshold: `σ_{R·m+1}(E_i)` (spectral) and
 * `sqrt(Σ_{k>Rm} σ_k²(E_i))` (Frobenius), with m = M or |P_i| (see {@link BlockSizeMode}).
 *
 * @param sigmaPerBlock shape [L̄][n_i], singular values of each `E_i`, descending
 * @param R LoRA rank per layer
 * @param partition shape [L̄][|P_i|]
 * @param mode default `'block-size'`; `'uniform-M'` requires the uniform partition
 */
export function blockErrors(
  sigmaPerBlock: readonly (readonly number[])[],
  R: number,
  partition: Partition,
  mode: BlockSizeMode = 'block-size',
): BlockErrorsResult {
  const { L, Lbar } = partitionShape(partition);
  requireInteger(R, 'R (LoRA rank)', 0);
  if (!Array.isArray(sigmaPerBlock) || sigmaPerBlock.length !== Lbar) {
    throw new TheoryInputError(`expected singular values for ${Lbar} blocks, got ${Array.isArray(sigmaPerBlock) ? sigmaPerBlock.length : 'none'}`);
  }
  if (mode === 'uniform-M' && !isUniformPartition(partition)) {
    throw new TheoryInputError("mode 'uniform-M' (σ_{RM+1}) applies to the uniform partition only; use 'block-size' (σ_{R|P_i|+1})");
  }
  const M = depthRatio(L, Lbar);
  const blocks = partition.map((layers, b): BlockErrorEntry => {
    const sigma = sigmaPerBlock[b];
    requireSingularValues(sigma, `singular values of E_${b + 1}`);
    const multiplier = mode === 'uniform-M' ? M : layers.length;
    const k = R * multiplier;
    return {
      targetLayer: b + 1,
      layers: [...layers],
      multiplier,
      correctableRank: k,
      spectral: spectralErrorAfterRank(sigma, k),
      frobenius: frobeniusErrorAfterRank(sigma, k),
    };
  });
  return {
    rule: mode === 'uniform-M' ? 'fnn-block-error-uniform' : 'fnn-block-error-general',
    ruleText:
      mode === 'uniform-M'
        ? "Zeng & Lee (ICLR 2024), below the threshold: the construction leaves block i with spectral error σ_{RM+1}(E_i), M = ⌊L/L̄⌋ for every block (the paper's uniform statement)."
        : 'Zeng & Lee (ICLR 2024) construction, below the threshold: block i keeps the best rank-R|P_i| correction of E_i, leaving spectral error σ_{R|P_i|+1}(E_i) (each block\'s own size |P_i|).',
    guarantee: 'exact',
    caveats: [NON_SINGULARITY_ASSUMED],
    mode,
    blocks,
    maxSpectral: Math.max(0, ...blocks.map((b) => b.spectral)),
  };
}

export interface SmallestRankResult extends RuleInfo, ErrorPair {
  /** Smallest R with error (in `norm`) ≤ tol. */
  requiredRank: number;
  norm: ErrorNorm;
  tolerance: number;
  blockSize: number;
}

/**
 * Smallest LoRA rank R whose error `σ_{R·m+1}` (spectral) or `sqrt(Σ_{k>Rm} σ_k²)` (Frobenius) is at
 * most `tol`, for a block of m layers (m = 1 for a single matrix). `tol = 0` gives the exact threshold.
 *
 * @param sigma shape [n], singular values of the discrepancy, descending
 */
export function smallestRankForError(
  sigma: readonly number[],
  blockSize: number,
  tol: number,
  norm: ErrorNorm,
): SmallestRankResult {
  requireSingularValues(sigma);
  requireInteger(blockSize, 'block size');
  requireNonNegative(tol, 'error tolerance');
  // Smallest k with error(k) ≤ tol; errors are non-increasing in k, so R = ⌈k/m⌉.
  let k = 0;
  if (norm === 'spectral') {
    while (k < sigma.length && sigma[k] > tol) k++;
  } else {
    const tail = tailSquareSums(sigma);
    while (k < sigma.length && Math.sqrt(tail[k]) > tol) k++;
  }
  const requiredRank = ceilDiv(k, blockSize);
  return {
    rule: 'smallest-rank-for-error',
    ruleText: `Eckart–Young–Mirsky with the block construction: the error after rank R on ${blockSize} layer(s) is ${norm === 'spectral' ? 'σ_{Rm+1}' : 'sqrt(Σ_{k>Rm} σ_k²)'}; this is the smallest R with error at most the tolerance.`,
    guarantee: 'exact',
    requiredRank,
    norm,
    tolerance: tol,
    blockSize,
    spectral: spectralErrorAfterRank(sigma, requiredRank * blockSize),
    frobenius: frobeniusErrorAfterRank(sigma, requiredRank * blockSize),
  };
}

/** One row of an error table: errors of every block at one LoRA rank. */
export interface ErrorTableRow {
  rank: number;
  /** Shape [blocks]: `σ_{rank·m_b+1}` per block. */
  spectral: number[];
  /** Shape [blocks]: `sqrt(Σ_{k>rank·m_b} σ_k²)` per block. */
  frobenius: number[];
}

/**
 * Errors for every rank 0…maxRank, for several blocks (or matrices) at once; O((maxRank + n)·blocks).
 *
 * @param spectra shape [blocks][n_b], singular values per block, descending
 * @param maxRank last rank in the table (usually D)
 * @param multipliers shape [blocks], layers per block m_b (default 1: a single matrix)
 * @returns shape [maxRank+1] rows
 */
export function errorTable(
  spectra: readonly (readonly number[])[],
  maxRank: number,
  multipliers?: readonly number[],
): ErrorTableRow[] {
  requireInteger(maxRank, 'maxRank', 0);
  if (multipliers !== undefined && multipliers.length !== spectra.length) {
    throw new TheoryInputError(`expected ${spectra.length} block sizes, got ${multipliers.length}`);
  }
  const tails = spectra.map((sigma, b) => {
    requireSingularValues(sigma, `singular values of block ${b + 1}`);
    return tailSquareSums(sigma);
  });
  const ms = spectra.map((_, b) => (multipliers === undefined ? 1 : requireInteger(multipliers[b], `block size ${b + 1}`)));
  const rows: ErrorTableRow[] = [];
  for (let r = 0; r <= maxRank; r++) {
    rows.push({
      rank: r,
      spectral: spectra.map((sigma, b) => (r * ms[b] < sigma.length ? sigma[r * ms[b]] : 0)),
      frobenius: tails.map((tail, b) => Math.sqrt(tail[Math.min(r * ms[b], tail.length - 1)])),
    });
  }
  return rows;
}
