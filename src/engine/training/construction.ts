/**
 * The paper's explicit construction for FNNs (theory §2 "Construction (checked)"), in float64.
 *
 * For a block with frozen W_1..W_m (local order) approximating target layer W̄ with discrepancy
 * `E = W̄ − W_m⋯W_1 = UΣVᵀ`, layer l gets the right singular vectors `V_l = V[:, (l−1)R : lR]`
 * (clipped to D columns) and
 *   `A_l = (W_m⋯W_{l+1})^{-1} E V_l`,   `B_lᵀ = V_lᵀ ((W_{l−1}+ΔW_{l−1})⋯(W_1+ΔW_1))^{-1}`,
 * so the adapted block product is `∏W + LR_{min(Rm, D)}(E)`, with spectral error σ_{Rm+1}(E).
 * Naming follows the paper: `ΔW = A Bᵀ` with A on the output side (PEFT's `lora_B = A`,
 * `lora_A = Bᵀ`).
 *
 * Biases (tunable): inner layers of a block get a bias making every pre-activation non-negative on
 * the given input set, so their ReLU acts as the identity there; the block's last layer gets
 * `b̄_i` minus the inner biases pushed through the adapted layers above them. The bias is computed
 * from the sampled inputs themselves (twice the most negative pre-activation, like the authors'
 * code), so exactness holds on THAT set: Gaussian inputs are unbounded and no finite bias covers
 * them all.
 */
import { type Partition, uniformPartition, validatePartition } from '../../theory';
import {
  add,
  colSlice as columns,
  DTYPE_EPSILON,
  identity,
  jacobiSvd,
  type Mat,
  matmul64 as matmul,
  matVec,
  solve,
  type StorageDtype,
  subtract,
  transpose,
  zeros,
} from '../linalg';
import { type Fnn, preActivation, reluInPlace } from './fnn';

/** One layer's LoRA factors in the paper's naming: `ΔW = A·Bᵀ`. */
export interface LayerAdapter {
  /** A_l, shape [D, r_l]: output side (PEFT `lora_B`). */
  a: Mat;
  /** B_l, shape [D, r_l]: input side (PEFT `lora_A` is B_lᵀ, shape [r_l, D]). */
  b: Mat;
}

export type BiasMode = 'tunable' | 'frozen';

export interface ConstructionOptions {
  /** 1-based consecutive blocks, shape [L̄][|P_i|]; default the uniform partition. */
  partition?: Partition;
  /**
   * Inputs, shape [n, D], on which every inner pre-activation is made non-negative (tunable biases).
   * Exactness is claimed on this set only.
   */
  inputs: Mat;
  /** `tunable` (theory §2) or `frozen`: keep the frozen model's biases (no exactness claimed). */
  biases: BiasMode;
  /**
   * Storage dtype of the weights (the coarsest one), for the rank tolerance of each discrepancy:
   * weights stored in float32 leave σ ≈ 1e-7·scale where exact arithmetic has zeros. Default F64.
   */
  dtype?: StorageDtype;
}

export interface ConstructionBlock {
  /** 1-based target layer i. */
  targetLayer: number;
  /** 1-based frozen layers of P_i. */
  layers: number[];
  /** σ(E_i), descending, length D. */
  discrepancySingularValues: number[];
  /** Numerical rank of E_i (σ_k > D·ε·scale, ε of the storage dtype, scale = σ₁(W̄_i) + σ₁(∏W)). */
  discrepancyRank: number;
  /** `min(R·|P_i|, D)`: singular directions the block's adapters carry. */
  rankBudget: number;
  /** σ_{R|P_i|+1}(E_i): the theory's spectral error for this block (0 beyond D). */
  predictedSpectralError: number;
  /** sqrt(Σ_{k>R|P_i|} σ_k²). */
  predictedFrobeniusError: number;
  /** ‖∏_{l∈P_i}(W_l + ΔW_l) − W̄_i‖₂, measured on the constructed adapters. */
  measuredSpectralError: number;
}

export interface ConstructionResult {
  rank: number;
  partition: Partition;
  biasMode: BiasMode;
  /** One per frozen layer, in order; `a`/`b` have r_l ≤ R columns (0 when the block needs none). */
  adapters: LayerAdapter[];
  /** The adapted network: weights `W_l + A_l B_lᵀ` and the constructed (or frozen) biases. */
  adapted: Fnn;
  blocks: ConstructionBlock[];
  /**
   * True only with tunable biases and `R·|P_i| ≥ rank(E_i)` in every block: then `f = f̄` on
   * `inputs` (up to rounding). Frozen biases never claim exactness.
   */
  exactClaimed: boolean;
  notes: string[];
}

/**
 * Builds the construction for rank R.
 * @param frozen L layers of width D
 * @param target L̄ ≤ L layers of the same width
 * @throws SingularMatrixError when a matrix the construction inverts is singular (hypothesis not met)
 */
export function buildConstruction(frozen: Fnn, target: Fnn, rank: number, options: ConstructionOptions): ConstructionResult {
  const D = frozen.width;
  const L = frozen.layers.length;
  const Lbar = target.layers.length;
  if (target.width !== D) throw new RangeError(`target width ${target.width} differs from frozen width ${D}`);
  if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`rank must be a positive whole number, got ${rank}`);
  const partition = options.partition ?? uniformPartition(L, Lbar);
  validatePartition(partition, L, Lbar);
  if (options.inputs.cols !== D) throw new RangeError(`inputs have ${options.inputs.cols} columns, expected ${D}`);

  const adapters: LayerAdapter[] = [];
  const adaptedWeights: Mat[] = [];
  const biases: Float64Array[] = [];
  const blocks: ConstructionBlock[] = [];
  // The block input on the sample: the previous blocks' output (of the adapted network).
  let z = options.inputs;

  partition.forEach((block, b) => {
    const frozenWeights = block.map((l) => frozen.layers[l - 1].weight);
    const m = frozenWeights.length;
    const targetLayer = target.layers[b];
    const product = productOf(frozenWeights, 0, m, D);
    const e = subtract(targetLayer.weight, product);
    const { s, v } = jacobiSvd(e);
    const blockAdapters = blockFactors(frozenWeights, e, v, rank, b + 1);
    const weights = frozenWeights.map((w, l) => add(w, matmul(blockAdapters[l].a, transpose(blockAdapters[l].b))));

    const blockBiases =
      options.biases === 'tunable'
        ? constructedBiases(weights, targetLayer.bias, z)
        : block.map((l) => frozen.layers[l - 1].bias.slice());
    for (let l = 0; l < m; l++) {
      z = preActivation(z, weights[l], blockBiases[l]);
      reluInPlace(z);
    }

    const adaptedProduct = productOf(weights, 0, m, D);
    const measured = jacobiSvd(subtract(adaptedProduct, targetLayer.weight)).s[0];
    const budget = Math.min(rank * m, D);
    const scale = jacobiSvd(targetLayer.weight).s[0] + jacobiSvd(product).s[0];
    const tol = D * DTYPE_EPSILON[options.dtype ?? 'F64'] * scale;
    let discrepancyRank = 0;
    while (discrepancyRank < D && s[discrepancyRank] > tol) discrepancyRank++;
    let tail = 0;
    for (let k = D - 1; k >= budget; k--) tail += s[k] * s[k];
    blocks.push({
      targetLayer: b + 1,
      layers: [...block],
      discrepancySingularValues: Array.from(s),
      discrepancyRank,
      rankBudget: budget,
      predictedSpectralError: budget < D ? s[budget] : 0,
      predictedFrobeniusError: Math.sqrt(tail),
      measuredSpectralError: measured,
    });
    adapters.push(...blockAdapters);
    adaptedWeights.push(...weights);
    biases.push(...blockBiases);
  });

  const enoughRank = blocks.every((blk) => blk.rankBudget >= blk.discrepancyRank);
  const notes: string[] = [];
  if (options.biases === 'frozen') {
    notes.push('frozen biases: the construction keeps the frozen model\'s biases, so no exactness is claimed (theory §2 needs tunable biases)');
  } else {
    notes.push(`inner biases make every pre-activation non-negative on the ${options.inputs.rows} given inputs: exactness is claimed on that set`);
  }
  if (!enoughRank) {
    const short = blocks.filter((blk) => blk.rankBudget < blk.discrepancyRank).map((blk) => blk.targetLayer);
    notes.push(`rank ${rank} is below the threshold for block${short.length > 1 ? 's' : ''} ${short.join(', ')}: the construction leaves σ_{R|P_i|+1}(E_i) per block`);
  }
  return {
    rank,
    partition: partition.map((blk) => [...blk]),
    biasMode: options.biases,
    adapters,
    adapted: { width: D, layers: adaptedWeights.map((weight, l) => ({ weight, bias: biases[l] })) },
    blocks,
    exactClaimed: options.biases === 'tunable' && enoughRank,
    notes,
  };
}

/** `W_{to−1}⋯W_{from}` (later layers on the left); identity when empty. */
function productOf(weights: readonly Mat[], from: number, to: number, D: number): Mat {
  let p = identity(D);
  for (let l = from; l < to; l++) p = matmul(weights[l], p);
  return p;
}

/** A_l, B_l for every layer of one block (theory §2). */
function blockFactors(frozenWeights: readonly Mat[], e: Mat, v: Mat, rank: number, targetLayer: number): LayerAdapter[] {
  const D = e.rows;
  const m = frozenWeights.length;
  const out: LayerAdapter[] = [];
  // Q = (W_{l−1}+ΔW_{l−1})⋯(W_1+ΔW_1), the adapted product below layer l.
  let q = identity(D);
  for (let l = 0; l < m; l++) {
    const from = Math.min(l * rank, D);
    const to = Math.min((l + 1) * rank, D);
    if (to <= from) {
      out.push({ a: zeros(D, 0), b: zeros(D, 0) });
      q = matmul(frozenWeights[l], q);
      continue;
    }
    const vl = columns(v, from, to);
    const above = productOf(frozenWeights, l + 1, m, D);
    const a = solve(above, matmul(e, vl), `the frozen product W_${m}⋯W_${l + 2} of block ${targetLayer}`);
    // B_lᵀ = V_lᵀ Q^{-1}  ⇔  Qᵀ B_l = V_l.
    const b = solve(transpose(q), vl, `the adapted product of layers 1..${l} of block ${targetLayer}`);
    out.push({ a, b });
    q = matmul(add(frozenWeights[l], matmul(a, transpose(b))), q);
  }
  return out;
}

/**
 * Biases of one block (tunable): inner layers shift every pre-activation on the sample to ≥ 0;
 * the last gets `b̄ − Σ_{l<m} (W̃_m⋯W̃_{l+1}) b_l`.
 * @param weights the block's adapted weights W̃_1..W̃_m
 * @param z the block's input on the sample, shape [n, D]
 */
function constructedBiases(weights: readonly Mat[], targetBias: Float64Array, z: Mat): Float64Array[] {
  const D = targetBias.length;
  const m = weights.length;
  const out: Float64Array[] = [];
  let h = z;
  for (let l = 0; l < m - 1; l++) {
    h = preActivation(h, weights[l], undefined);
    const bias = new Float64Array(D);
    for (let j = 0; j < D; j++) {
      let min = 0;
      for (let r = 0; r < h.rows; r++) min = Math.min(min, h.data[r * D + j]);
      bias[j] = -2 * min;
    }
    for (let r = 0; r < h.rows; r++) for (let j = 0; j < D; j++) h.data[r * D + j] += bias[j];
    out.push(bias);
  }
  const last = targetBias.slice();
  for (let l = 0; l < m - 1; l++) {
    const pushed = matVec(productOf(weights, l + 1, m, D), out[l]);
    for (let j = 0; j < D; j++) last[j] -= pushed[j];
  }
  out.push(last);
  return out;
}
