/**
 * Fitting by gradient descent with tfjs autodiff (theory §2's experiments, as in the authors' code):
 * Adam on the LoRA factors of every frozen layer (optionally the biases), or on the last k layers'
 * weights and biases ("final-layer tuning", theory §5). Inputs x ~ N(0, I), labels from the target
 * model, a fresh batch every step, everything seeded.
 *
 * A GROUP of runs (ranks, bias modes, learning rates, final-layer counts) trains as one batched model:
 * at width 16 each kernel does little work, and M runs share the ~200 kernel launches of a step
 * (fitLayout.ts explains why the runs stay independent). On wasm the batched matmul is a plain loop,
 * so the gain there is modest at idle (README, Performance). All runs of a group see the same input
 * batches; a run's result does not depend on what else is in its group.
 *
 * LoRA initialisation follows the issue and the paper's naming (`ΔW = A Bᵀ`): A = 0 (output side),
 * B ~ N(0, initStd²) (input side). In PEFT's names that is lora_B = 0 and lora_A Gaussian.
 */
import type { Scalar, Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import type { TfNamespace } from '../backend';
import type { LayerAdapter } from './construction';
import { add, type Mat, matmul64 as matmul, transpose } from '../linalg';
import { BatchedAdam } from './batchedAdam';
import { buildFitLayout, type FitLayout, type FitMethod, type FitRunSpec, type Segment, segmentOf } from './fitLayout';
import type { Fnn } from './fnn';
import { ensureTrainingGradients } from './gradients';
import { deriveSeed, SeededRandom } from './random';

export type { FitMethod, FitRunSpec };

/** What every run of a group shares. */
export interface GroupFitOptions {
  steps: number;
  batchSize: number;
  /** Seeds B's initialisation and every input batch. */
  seed: number;
  /** Standard deviation of B's entries (the authors use 0.25). */
  initStd?: number;
  /** Called every `reportEvery` steps with the steps done and each run's last batch loss. */
  onProgress?: (stepsDone: number, losses: number[]) => void;
  signal?: AbortSignal;
  /** Steps between progress reports and event-loop yields (so cancellation can arrive). Default 50. */
  reportEvery?: number;
}

/** One run, fitted alone. */
export interface FitOptions extends Omit<FitRunSpec, 'learningRate'>, Omit<GroupFitOptions, 'onProgress'> {
  learningRate: number;
  onProgress?: (stepsDone: number, loss: number) => void;
}

export interface FitResult {
  /** The fitted network in float64 (weights W + A Bᵀ or the tuned weights, and biases). */
  adapted: Fnn;
  /** Method `lora`: the fitted factors per layer. */
  adapters?: LayerAdapter[];
  /** Loss of the last training batch (float32, on the backend); NaN before the first report. */
  finalBatchLoss: number;
  steps: number;
  /** Wall time of the whole group. */
  seconds: number;
}

/** Row-major float64 [r, c] → a float32 tensor. */
function toTensor(tf: TfNamespace, m: Mat): Tensor2D {
  return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);
}

/** Fits one run; see {@link fitGroupByGradient}. */
export async function fitByGradient(tf: TfNamespace, frozen: Fnn, target: Fnn, options: FitOptions): Promise<FitResult> {
  const { onProgress, ...rest } = options;
  const [result] = await fitGroupByGradient(tf, frozen, target, [rest], {
    ...rest,
    onProgress: onProgress && ((done, losses) => onProgress(done, losses[0])),
  });
  return result;
}

/** Fits every run of `runs` to `target` at once, by Adam; results in the order of `runs`. */
export async function fitGroupByGradient(tf: TfNamespace, frozen: Fnn, target: Fnn, runs: FitRunSpec[], options: GroupFitOptions): Promise<FitResult[]> {
  const started = Date.now();
  if (runs.length === 0) return [];
  const D = frozen.width;
  const M = runs.length;
  const N = options.batchSize;
  const reportEvery = Math.max(1, options.reportEvery ?? 50);
  // B's initialisation and the batches come from separate streams of the seed.
  const layout = buildFitLayout(frozen, runs, deriveSeed(options.seed, 1), options.initStd ?? 0.25);
  const batches = new SeededRandom(deriveSeed(options.seed, 2));
  ensureTrainingGradients(tf);

  const owned: Tensor[] = [];
  const keep = <T extends Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  const frozenLayers = frozen.layers.map((layer) => ({
    weightT: keep(toTensor(tf, transpose(layer.weight))),
    bias: keep(tf.tensor2d(Float32Array.from(layer.bias), [1, D])),
  }));
  const targetLayers = target.layers.map((layer) => ({
    weightT: keep(toTensor(tf, transpose(layer.weight))),
    bias: keep(tf.tensor2d(Float32Array.from(layer.bias), [1, D])),
  }));
  const runCount = keep(tf.scalar(M));
  const adam = new BatchedAdam(tf, runs.map((r) => r.learningRate), layout.trainable, layout.size);
  let theta: Tensor2D = tf.tensor2d(layout.initial, [M, layout.size]);

  /** Run-batched view [M, rows, cols] of one segment of every run. */
  const view = (t: Tensor2D, s: Segment): Tensor3D => tf.reshape(tf.slice(t, [0, s.offset], [M, s.rows * s.cols]), [M, s.rows, s.cols]);
  /** Predictions of every run, [M, N, D]; `x3` is the batch repeated per run. */
  const forward = (t: Tensor2D, x3: Tensor3D): Tensor3D => {
    let z = x3;
    frozenLayers.forEach((fixed, l) => {
      const seg = layout.layers[l];
      // z·(Wᵀ + B·Aᵀ + ΔWᵀ): the rank-R product is formed on D×D, not on the batch.
      let weightT: Tensor = fixed.weightT;
      if (seg.loraB && seg.loraAT) weightT = tf.add(weightT, tf.matMul(view(t, seg.loraB), view(t, seg.loraAT)));
      if (seg.weightDelta) weightT = tf.add(weightT, view(t, seg.weightDelta));
      if (weightT.rank === 2) weightT = tf.broadcastTo(weightT, [M, D, D]);
      let pre: Tensor = tf.add(tf.matMul(z, weightT as Tensor3D), fixed.bias);
      if (seg.biasDelta) pre = tf.add(pre, view(t, seg.biasDelta));
      z = tf.relu(pre) as Tensor3D;
    });
    return z;
  };
  const targetForward = (x: Tensor2D): Tensor2D => {
    let z = x;
    for (const p of targetLayers) z = tf.relu(tf.add(tf.matMul(z, p.weightT), p.bias)) as Tensor2D;
    return z;
  };

  const losses = new Array<number>(M).fill(NaN);
  try {
    const batch = new Float32Array(N * D);
    for (let step = 1; step <= options.steps; step++) {
      batches.fillGaussian(batch);
      const report = step % reportEvery === 0 || step === options.steps;
      const [next, perRun] = tf.tidy(() => {
        const x = tf.tensor2d(batch, [N, D]);
        const y = targetForward(x);
        const x3 = tf.broadcastTo(tf.reshape(x, [1, N, D]), [M, N, D]) as Tensor3D;
        // The sum of the runs' mean losses: each run's gradient is exactly its own.
        const { grad } = tf.valueAndGrad((t: Tensor) => tf.mul(tf.mean(tf.squaredDifference(forward(t as Tensor2D, x3), y)), runCount) as Scalar)(theta);
        // Per-run losses on report steps only (the gradient's own intermediates are gone by now).
        const runLosses = report ? tf.mean(tf.squaredDifference(forward(theta, x3), y), [1, 2]) : tf.zeros([0]);
        return [adam.update(theta, grad as Tensor2D), runLosses];
      });
      theta.dispose();
      theta = next;
      if (report) losses.splice(0, M, ...(await perRun.data()));
      perRun.dispose();
      if (report) {
        options.onProgress?.(step, losses);
        await new Promise<void>((resolve) => setImmediate(resolve));
        options.signal?.throwIfAborted();
      }
    }
    const values = await theta.data();
    const seconds = (Date.now() - started) / 1000;
    return runs.map((run, m) => ({ ...adaptedRun(frozen, layout, values, m, run.method), finalBatchLoss: losses[m], steps: options.steps, seconds }));
  } finally {
    theta.dispose();
    adam.dispose();
    for (const t of owned) t.dispose();
  }
}

/** Run `m`'s network in float64: frozen parts from the float64 originals, plus what it tuned. */
function adaptedRun(frozen: Fnn, layout: FitLayout, values: ArrayLike<number>, m: number, method: FitMethod): Pick<FitResult, 'adapted' | 'adapters'> {
  const D = frozen.width;
  const run = layout.runs[m];
  const L = frozen.layers.length;
  const adapted: Fnn = { width: D, layers: [] };
  const adapters: LayerAdapter[] = [];
  frozen.layers.forEach((layer, l) => {
    const seg = layout.layers[l];
    let weight = layer.weight;
    let bias = layer.bias.slice();
    const tunesWeight = method === 'final-layers' && l >= L - (run.tunedLayers ?? 0);
    if (tunesWeight && seg.weightDelta) weight = add(weight, transpose({ rows: D, cols: D, data: segmentOf(values, layout, m, seg.weightDelta) }));
    if ((tunesWeight || (method === 'lora' && run.biases === 'tunable')) && seg.biasDelta) {
      const delta = segmentOf(values, layout, m, seg.biasDelta);
      bias = bias.map((b, i) => b + delta[i]);
    }
    if (method === 'lora' && seg.loraB && seg.loraAT) {
      const r = run.rank as number;
      const b: Mat = { rows: D, cols: r, data: segmentOf(values, layout, m, seg.loraB, r) };
      const aT: Mat = { rows: r, cols: D, data: segmentOf(values, layout, m, { ...seg.loraAT, rows: r }) };
      const a = transpose(aT);
      adapters.push({ a, b });
      weight = add(weight, matmul(a, transpose(b)));
    }
    adapted.layers.push({ weight: weight === layer.weight ? { ...weight, data: weight.data.slice() } : weight, bias });
  });
  return method === 'lora' ? { adapted, adapters } : { adapted };
}
