/**
 * Adam for a [M, P] matrix of parameters, one learning rate per row (per run), with a 0/1 mask of
 * what each row may change. tfjs's own optimizer takes one scalar rate; this is Adam's update
 * (Kingma & Ba, PyTorch's defaults β = (0.9, 0.999), ε = 1e-8) written as a dozen tfjs kernels:
 *   g ← g ⊙ mask;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
 *   θ ← θ − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { TfNamespace } from '../backend';

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

export class BatchedAdam {
  private m: Tensor2D;
  private v: Tensor2D;
  private readonly rates: Tensor2D;
  private readonly mask: Tensor2D;
  private step = 0;

  /**
   * @param learningRates one per row, length M
   * @param mask 1 where a row may change an entry, [M, P] row-major
   */
  constructor(private readonly tf: TfNamespace, learningRates: readonly number[], mask: Float32Array, size: number) {
    const M = learningRates.length;
    this.m = tf.zeros([M, size]);
    this.v = tf.zeros([M, size]);
    this.rates = tf.tensor2d(Float32Array.from(learningRates), [M, 1]);
    this.mask = tf.tensor2d(mask, [M, size]);
  }

  /** Returns the updated parameters (the caller disposes the old ones and `gradient`, or runs this in a tidy). */
  update(theta: Tensor2D, gradient: Tensor2D): Tensor2D {
    const tf = this.tf;
    this.step++;
    const t = this.step;
    const [m, v, next] = tf.tidy(() => {
      const g = tf.mul(gradient, this.mask);
      const m1 = tf.add(tf.mul(this.m, BETA1), tf.mul(g, 1 - BETA1));
      const v1 = tf.add(tf.mul(this.v, BETA2), tf.mul(tf.square(g), 1 - BETA2));
      const denom = tf.add(tf.sqrt(tf.div(v1, 1 - BETA2 ** t)), EPSILON);
      const stepSize = tf.div(tf.mul(this.rates, tf.div(m1, 1 - BETA1 ** t)), denom);
      return [m1, v1, tf.sub(theta, stepSize)] as Tensor2D[];
    });
    this.m.dispose();
    this.v.dispose();
    // Kept: the caller may run this inside its own tidy, which must not take the moments.
    this.m = tf.keep(m);
    this.v = tf.keep(v);
    return next;
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
    this.rates.dispose();
    this.mask.dispose();
  }
}
