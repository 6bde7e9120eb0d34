/**
 * Fitting by gradient descent with tfjs autodiff (theory §2's experiments, as in the authors' code):
 * Adam on the LoRA factors of every frozen layer (optionally the biases), or on the last k layers'
 * weights and biases ("final-layer tuning", theory §5). Inputs x ~ N(0, I), labels from the target
 * model, a fresh batch every step, everything seeded.
 *
 * LoRA initialisation follows the issue and the paper's naming (`ΔW = A Bᵀ`): A = 0 (output side),
 * B ~ N(0, initStd²) (input side). In PEFT's names that is lora_B = 0 and lora_A Gaussian.
 */
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import type { TfNamespace } from '../backend';
import type { BiasMode, LayerAdapter } from './construction';
import { add, type Mat, matmul64 as matmul, transpose } from '../linalg';
import type { Fnn } from './fnn';
import { ensureTrainingGradients } from './gradients';
import { SeededRandom } from './random';

export type FitMethod = 'lora' | 'final-layers';

export interface FitOptions {
  method: FitMethod;
  /** LoRA rank R on every frozen layer (method `lora`). */
  rank?: number;
  /** Number k of final layers tuned, weights and biases (method `final-layers`); the rest stay frozen. */
  tunedLayers?: number;
  /** Method `lora`: tune the biases of every layer, or keep the frozen ones. */
  biases: BiasMode;
  steps: number;
  batchSize: number;
  learningRate: number;
  /** Seeds B's initialisation and every input batch. */
  seed: number;
  /** Standard deviation of B's entries (the authors use 0.25). */
  initStd?: number;
  /** Called every `reportEvery` steps with the steps done and the last batch loss. */
  onProgress?: (stepsDone: number, loss: number) => void;
  signal?: AbortSignal;
  /** Steps between progress reports and event-loop yields (so cancellation can arrive). Default 50. */
  reportEvery?: number;
}

export interface FitResult {
  /** The fitted network in float64 (weights W + A Bᵀ or the tuned weights, and biases). */
  adapted: Fnn;
  /** Method `lora`: the fitted factors per layer. */
  adapters?: LayerAdapter[];
  /** Loss of the last training batch (float32, on the backend). */
  finalBatchLoss: number;
  steps: number;
  seconds: number;
}

/** Row-major float64 [r, c] → a float32 tensor. */
function toTensor(tf: TfNamespace, m: Mat): Tensor2D {
  return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);
}

/** A [rows, cols] block of the flat parameter vector (row-major). */
interface Segment {
  offset: number;
  rows: number;
  cols: number;
}

/**
 * Where one layer's trainable pieces live in the flat parameter vector, or its constant tensors.
 * All trainable parameters share ONE variable so Adam runs a dozen kernels per step instead of a
 * dozen per tensor (kernel launches dominate at these sizes).
 */
interface LayerParams {
  /** Wᵀ, shape [D, D] (in, out), so `z·Wᵀ` needs no transpose flag: a constant or a segment. */
  weightT: Tensor2D | Segment;
  /** B, shape [D, R]. */
  loraB?: Segment;
  /** Aᵀ, shape [R, D]. */
  loraAT?: Segment;
  /** b, shape [1, D]: a constant or a segment. */
  bias: Tensor2D | Segment;
}

function isSegment(x: Tensor2D | Segment): x is Segment {
  return typeof (x as Segment).offset === 'number';
}

/** Copies a segment out of the flat vector as a float64 matrix. */
function segmentMat(flat: ArrayLike<number>, seg: Segment): Mat {
  const data = new Float64Array(seg.rows * seg.cols);
  for (let i = 0; i < data.length; i++) data[i] = flat[seg.offset + i];
  return { rows: seg.rows, cols: seg.cols, data };
}

/** Fits `frozen` to `target` by Adam; see the file comment. */
export async function fitByGradient(tf: TfNamespace, frozen: Fnn, target: Fnn, options: FitOptions): Promise<FitResult> {
  const started = Date.now();
  const D = frozen.width;
  const L = frozen.layers.length;
  const rank = options.rank ?? 0;
  const tuned = options.tunedLayers ?? 0;
  if (options.method === 'lora' && !(Number.isInteger(rank) && rank >= 1)) throw new RangeError(`LoRA fitting needs a rank ≥ 1, got ${rank}`);
  if (options.method === 'final-layers' && !(Number.isInteger(tuned) && tuned >= 1 && tuned <= L)) {
    throw new RangeError(`final-layer tuning needs 1 ≤ k ≤ ${L} tuned layers, got ${tuned}`);
  }
  const rng = new SeededRandom(options.seed);
  const initStd = options.initStd ?? 0.25;
  const reportEvery = Math.max(1, options.reportEvery ?? 50);
  ensureTrainingGradients(tf);
  const mm = (a: Tensor2D, b: Tensor2D): Tensor2D => tf.matMul(a, b);

  const owned: Tensor[] = [];
  const keep = <T extends Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  const initial: number[] = [];
  const segment = (values: ArrayLike<number>, rows: number, cols: number): Segment => {
    const seg = { offset: initial.length, rows, cols };
    for (let i = 0; i < values.length; i++) initial.push(values[i]);
    return seg;
  };
  const layers: LayerParams[] = frozen.layers.map((layer, l) => {
    const weightT = transpose(layer.weight);
    const tunedWeight = options.method === 'final-layers' && l >= L - tuned;
    const tunedBias = tunedWeight || (options.method === 'lora' && options.biases === 'tunable');
    const params: LayerParams = {
      weightT: tunedWeight ? segment(weightT.data, D, D) : keep(toTensor(tf, weightT)),
      bias: tunedBias ? segment(layer.bias, 1, D) : keep(tf.tensor2d(Float32Array.from(layer.bias), [1, D])),
    };
    if (options.method === 'lora') {
      params.loraB = segment(rng.fillGaussian(new Float64Array(D * rank), initStd), D, rank);
      params.loraAT = segment(new Float64Array(rank * D), rank, D);
    }
    return params;
  });
  const targetLayers = target.layers.map((layer) => ({
    weightT: keep(toTensor(tf, transpose(layer.weight))),
    bias: keep(tf.tensor2d(Float32Array.from(layer.bias), [1, D])),
  }));
  const theta = keep(tf.variable(keep(tf.tensor1d(Float32Array.from(initial))), true));
  const optimizer = tf.train.adam(options.learningRate);

  const view = (x: Tensor2D | Segment): Tensor2D =>
    isSegment(x) ? tf.reshape(tf.slice(theta, [x.offset], [x.rows * x.cols]), [x.rows, x.cols]) : x;
  const forward = (x: Tensor2D): Tensor2D => {
    let z = x;
    for (const p of layers) {
      let weightT = view(p.weightT);
      // z·(Wᵀ + B·Aᵀ): the rank-R product is formed on D×D, not on the batch.
      if (p.loraB && p.loraAT) weightT = tf.add(weightT, mm(view(p.loraB), view(p.loraAT)));
      z = tf.relu(tf.add(mm(z, weightT), view(p.bias))) as Tensor2D;
    }
    return z;
  };
  const targetForward = (x: Tensor2D): Tensor2D => {
    let z = x;
    for (const p of targetLayers) z = tf.relu(tf.add(tf.matMul(z, p.weightT), p.bias)) as Tensor2D;
    return z;
  };

  let lastLoss = NaN;
  try {
    const batch = new Float32Array(options.batchSize * D);
    for (let step = 1; step <= options.steps; step++) {
      rng.fillGaussian(batch);
      const report = step % reportEvery === 0 || step === options.steps;
      const x = tf.tensor2d(batch, [options.batchSize, D]);
      const y = tf.tidy(() => targetForward(x));
      const loss = optimizer.minimize(() => tf.mean(tf.squaredDifference(forward(x), y)) as Scalar, report, [theta]);
      x.dispose();
      y.dispose();
      if (loss) {
        lastLoss = (await loss.data())[0];
        loss.dispose();
      }
      if (report) {
        options.onProgress?.(step, lastLoss);
        await new Promise<void>((resolve) => setImmediate(resolve));
        options.signal?.throwIfAborted();
      }
    }
    const flat = await theta.data();
    const adapted: Fnn = { width: D, layers: [] };
    const adapters: LayerAdapter[] = [];
    for (const [l, p] of layers.entries()) {
      // Frozen parts come from the float64 originals, not from their float32 copies.
      const weight = isSegment(p.weightT) ? transpose(segmentMat(flat, p.weightT)) : frozen.layers[l].weight;
      const bias = isSegment(p.bias) ? segmentMat(flat, p.bias).data : frozen.layers[l].bias.slice();
      if (p.loraB && p.loraAT) {
        const b = segmentMat(flat, p.loraB);
        const a = transpose(segmentMat(flat, p.loraAT));
        adapters.push({ a, b });
        adapted.layers.push({ weight: add(weight, matmul(a, transpose(b))), bias });
      } else {
        adapted.layers.push({ weight, bias });
      }
    }
    return {
      adapted,
      ...(options.method === 'lora' ? { adapters } : {}),
      finalBatchLoss: lastLoss,
      steps: options.steps,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    optimizer.dispose();
    for (const t of owned) t.dispose();
  }
}
