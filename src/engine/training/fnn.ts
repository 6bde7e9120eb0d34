/**
 * Fully connected ReLU networks of constant width in float64 (theory §2): `z_l = ReLU(W_l z_{l−1} + b_l)`
 * for every layer, the last included (as in the paper and the authors' code).
 */
import { type Mat, zeros } from '../linalg';
import type { SeededRandom } from './random';

export interface FnnLayer {
  /** W_l, shape [D, D] ([out, in], like `nn.Linear.weight`). */
  weight: Mat;
  /** b_l, length D. */
  bias: Float64Array;
}

export interface Fnn {
  width: number;
  /** Layers in forward order (layer 1 meets the input first). */
  layers: FnnLayer[];
}

/**
 * A random FNN initialised like PyTorch's `nn.Linear` default (as the authors' experiments do):
 * weights and biases uniform in ±1/√D.
 */
export function randomFnn(width: number, depth: number, rng: SeededRandom): Fnn {
  const bound = 1 / Math.sqrt(width);
  const layers: FnnLayer[] = [];
  for (let l = 0; l < depth; l++) {
    const weight = zeros(width, width);
    for (let i = 0; i < weight.data.length; i++) weight.data[i] = rng.uniform(-bound, bound);
    const bias = new Float64Array(width);
    for (let i = 0; i < width; i++) bias[i] = rng.uniform(-bound, bound);
    layers.push({ weight, bias });
  }
  return { width, layers };
}

/** `n` rows of x ~ N(0, I_D), shape [n, D]. */
export function gaussianInputs(n: number, width: number, rng: SeededRandom): Mat {
  const x = zeros(n, width);
  rng.fillGaussian(x.data);
  return x;
}

/**
 * Pre-activations `Z·Wᵀ + b` of one layer for a batch of rows.
 * @param z shape [n, D]  @returns shape [n, D]
 */
export function preActivation(z: Mat, weight: Mat, bias: Float64Array | undefined): Mat {
  const n = z.rows;
  const dOut = weight.rows;
  const dIn = weight.cols;
  const out = zeros(n, dOut);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < dOut; i++) {
      let s = bias ? bias[i] : 0;
      for (let j = 0; j < dIn; j++) s += weight.data[i * dIn + j] * z.data[r * dIn + j];
      out.data[r * dOut + i] = s;
    }
  }
  return out;
}

export function reluInPlace(z: Mat): Mat {
  for (let i = 0; i < z.data.length; i++) if (z.data[i] < 0) z.data[i] = 0;
  return z;
}

/** f(X) for a batch of rows, shape [n, D] → [n, D]. */
export function forwardFnn(net: Fnn, x: Mat): Mat {
  let z = x;
  for (const layer of net.layers) z = reluInPlace(preActivation(z, layer.weight, layer.bias));
  return z;
}

/** Mean of squared differences over every element (PyTorch's `nn.MSELoss()`). */
export function meanSquaredError(a: Mat, b: Mat): number {
  if (a.data.length !== b.data.length) throw new RangeError('meanSquaredError: shapes differ');
  let s = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i] - b.data[i];
    s += d * d;
  }
  return s / a.data.length;
}
