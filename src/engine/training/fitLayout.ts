/**
 * The parameter layout shared by a group of fitting runs trained together as one batched model
 * (gradientFit.ts). Every run gets the same flat vector of P values, row m of a [M, P] matrix:
 * per layer, LoRA factors padded to the group's largest rank, a full-weight delta and a bias delta
 * wherever ANY run of the group needs them. What a run may change is a 0/1 gradient mask of the same
 * shape, so one set of tensors serves LoRA at every rank, either bias mode and final-layer tuning.
 *
 * Why masks are exact: a masked entry has zero gradient, so Adam's moments stay 0 and its update is
 * 0/(√0 + ε) = 0 at every step; entries that start at 0 and are masked stay 0, and add nothing.
 * Runs never mix because the loss is a sum of per-run losses.
 */
import type { BiasMode } from './construction';
import type { Fnn } from './fnn';
import { SeededRandom } from './random';

export type FitMethod = 'lora' | 'final-layers';

/** One fitting run of a group: what it tunes and at which learning rate. */
export interface FitRunSpec {
  method: FitMethod;
  /** LoRA rank R on every frozen layer (method `lora`). */
  rank?: number;
  /** Number k of final layers tuned, weights and biases (method `final-layers`); the rest stay frozen. */
  tunedLayers?: number;
  /** Method `lora`: tune the biases of every layer, or keep the frozen ones. */
  biases: BiasMode;
  learningRate: number;
}

/** A [rows, cols] block of a run's flat parameter vector (row-major). */
export interface Segment {
  offset: number;
  rows: number;
  cols: number;
}

/** Where one layer's trainable pieces live in the flat vector (absent when no run needs them). */
export interface LayerSegments {
  /** B padded to [D, Rmax] (input side; ΔW = A·Bᵀ, so z·ΔWᵀ = z·B·Aᵀ). */
  loraB?: Segment;
  /** Aᵀ padded to [Rmax, D]. */
  loraAT?: Segment;
  /** Δ(Wᵀ), [D, D], added to the frozen Wᵀ (final-layer tuning). */
  weightDelta?: Segment;
  /** Δb, [1, D], added to the frozen bias. */
  biasDelta?: Segment;
}

export interface FitLayout {
  runs: FitRunSpec[];
  layers: LayerSegments[];
  /** Values per run. */
  size: number;
  /** Largest LoRA rank of the group (0 without LoRA runs). */
  maxRank: number;
  /** Initial values, [M, P] row-major. */
  initial: Float32Array;
  /** 1 where run m may change entry p, [M, P] row-major. */
  trainable: Float32Array;
}

/** Throws a RangeError for a run the network cannot take. */
export function checkRun(run: FitRunSpec, depth: number, width: number): void {
  if (run.method === 'lora') {
    const r = run.rank ?? 0;
    if (!(Number.isInteger(r) && r >= 1 && r <= width)) throw new RangeError(`LoRA fitting needs a rank in 1…${width}, got ${r}`);
  } else {
    const k = run.tunedLayers ?? 0;
    if (!(Number.isInteger(k) && k >= 1 && k <= depth)) throw new RangeError(`final-layer tuning needs 1 ≤ k ≤ ${depth} tuned layers, got ${k}`);
  }
  if (!(run.learningRate > 0 && Number.isFinite(run.learningRate))) throw new RangeError(`learning rate must be positive, got ${run.learningRate}`);
}

const tunesWeight = (run: FitRunSpec, l: number, L: number): boolean => run.method === 'final-layers' && l >= L - (run.tunedLayers ?? 0);
const tunesBias = (run: FitRunSpec, l: number, L: number): boolean =>
  tunesWeight(run, l, L) || (run.method === 'lora' && run.biases === 'tunable');

/**
 * Lays out a group. LoRA initialisation (issue 6, paper naming ΔW = A·Bᵀ): A = 0, B ~ N(0, initStd²).
 * B of a rank-R run is drawn from `initSeed` alone, layer by layer, R·D values each, so a run starts
 * the same whatever else is in its group (every learning rate of one rank starts alike).
 */
export function buildFitLayout(frozen: Fnn, runs: FitRunSpec[], initSeed: number, initStd: number): FitLayout {
  const D = frozen.width;
  const L = frozen.layers.length;
  for (const run of runs) checkRun(run, L, D);
  const maxRank = Math.max(0, ...runs.map((r) => (r.method === 'lora' ? r.rank ?? 0 : 0)));
  let size = 0;
  const segment = (rows: number, cols: number): Segment => {
    const s = { offset: size, rows, cols };
    size += rows * cols;
    return s;
  };
  const layers: LayerSegments[] = frozen.layers.map((_, l) => {
    const seg: LayerSegments = {};
    if (maxRank > 0) {
      seg.loraB = segment(D, maxRank);
      seg.loraAT = segment(maxRank, D);
    }
    if (runs.some((r) => tunesWeight(r, l, L))) seg.weightDelta = segment(D, D);
    if (runs.some((r) => tunesBias(r, l, L))) seg.biasDelta = segment(1, D);
    return seg;
  });

  const M = runs.length;
  const initial = new Float32Array(M * size);
  const trainable = new Float32Array(M * size);
  const mark = (m: number, s: Segment | undefined, rows = s?.rows ?? 0, cols = s?.cols ?? 0): void => {
    if (!s) return;
    for (let i = 0; i < rows; i++) trainable.fill(1, m * size + s.offset + i * s.cols, m * size + s.offset + i * s.cols + cols);
  };
  runs.forEach((run, m) => {
    const rng = new SeededRandom(initSeed);
    layers.forEach((seg, l) => {
      if (run.method === 'lora' && seg.loraB && seg.loraAT) {
        const r = run.rank as number;
        const b = rng.fillGaussian(new Float64Array(D * r), initStd);
        for (let i = 0; i < D; i++) for (let j = 0; j < r; j++) initial[m * size + seg.loraB.offset + i * maxRank + j] = b[i * r + j];
        mark(m, seg.loraB, D, r);
        mark(m, seg.loraAT, r, D);
      }
      if (tunesWeight(run, l, L)) mark(m, seg.weightDelta);
      if (tunesBias(run, l, L)) mark(m, seg.biasDelta);
    });
  });
  return { runs, layers, size, maxRank, initial, trainable };
}

/** Row `m` of a segment as a float64 matrix, from the [M, P] values. */
export function segmentOf(values: ArrayLike<number>, layout: FitLayout, m: number, s: Segment, cols = s.cols): Float64Array {
  const out = new Float64Array(s.rows * cols);
  const base = m * layout.size + s.offset;
  for (let i = 0; i < s.rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = values[base + i * s.cols + j];
  return out;
}
