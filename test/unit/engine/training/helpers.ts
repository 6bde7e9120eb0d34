/** Shared fixtures of the training tests: seeded random FNN pairs and ml-matrix conversions. */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import type { Mat } from '../../../../src/engine/linalg';
import { type Fnn, gaussianInputs, randomFnn } from '../../../../src/engine/training/fnn';
import { SeededRandom } from '../../../../src/engine/training/random';

export function pair(width: number, frozenDepth: number, targetDepth: number, seed: number) {
  const rng = new SeededRandom(seed);
  const frozen = randomFnn(width, frozenDepth, rng);
  const target = randomFnn(width, targetDepth, rng);
  const inputs = gaussianInputs(500, width, rng);
  return { frozen, target, inputs };
}

export function toMatrix(m: Mat): Matrix {
  return new Matrix(Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols))));
}

/** Singular values by ml-matrix (the independent reference), descending. */
export function referenceSigma(m: Matrix): number[] {
  return new SingularValueDecomposition(m, { autoTranspose: true }).diagonal.slice().sort((a, b) => b - a);
}

/** `W_{last}⋯W_{first}` by ml-matrix, 1-based inclusive layer indices. */
export function referenceProduct(net: Fnn, first: number, last: number): Matrix {
  let p = Matrix.eye(net.width);
  for (let l = first; l <= last; l++) p = toMatrix(net.layers[l - 1].weight).mmul(p);
  return p;
}
