/** Float64 one-sided Jacobi SVD with vectors (small matrices of the construction and the analyses). */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jacobiSvd, lowRankApproximation, type Mat, singularValuesF64, transpose } from '../../../../src/engine/linalg';
import { gaussian, multiply, referenceSigma, withSingularValues } from './fixtures';

function mat(data: Float64Array, rows: number, cols: number): Mat {
  return { data, rows, cols };
}

/** max |(XᵀX − I)_ij| over the columns of X that are listed. */
function orthonormalityError(x: Mat, columns: readonly number[]): number {
  let worst = 0;
  for (const a of columns) {
    for (const b of columns) {
      let dot = 0;
      for (let i = 0; i < x.rows; i++) dot += (x.data[i * x.cols + a] as number) * (x.data[i * x.cols + b] as number);
      worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs((a[k] as number) - (b[k] as number)));
  return worst;
}

describe('jacobiSvd', () => {
  it('matches the ml-matrix reference and reconstructs a random 7×5 matrix', () => {
    const a = mat(gaussian(35, 3), 7, 5);
    const { u, s, v } = jacobiSvd(a);
    assert.deepEqual([u.rows, u.cols, v.rows, v.cols, s.length], [7, 5, 5, 5, 5]);
    const ref = referenceSigma(a.data, 7, 5);
    s.forEach((x, k) => assert.ok(Math.abs(x - (ref[k] as number)) < 1e-12 * (ref[0] as number), `σ_${k}: ${x} vs ${ref[k]}`));
    const back = lowRankApproximation({ u, s, v }, 5);
    assert.ok(maxAbsDiff(back, a.data) < 1e-12, 'reconstruction');
    assert.ok(orthonormalityError(u, [0, 1, 2, 3, 4]) < 1e-13);
    assert.ok(orthonormalityError(v, [0, 1, 2, 3, 4]) < 1e-13);
  });

  it('recovers planted singular values in descending order and does not modify the input', () => {
    const sigma = [9, 4, 1, 1e-3];
    const a = mat(withSingularValues(sigma, 6, 4, 11), 6, 4);
    const before = a.data.slice();
    const { s } = jacobiSvd(a);
    assert.ok(maxAbsDiff(s, sigma) < 1e-12 * 9);
    assert.deepEqual(a.data, before);
  });

  it('gives zero u columns but a full orthogonal v for a rank-deficient input', () => {
    // Rank 2: a 5×2 by 2×4 product.
    const a = mat(multiply(gaussian(10, 5), gaussian(8, 6), 5, 2, 4), 5, 4);
    const { u, s, v } = jacobiSvd(a);
    assert.ok((s[2] as number) < 1e-14 * (s[0] as number) && (s[3] as number) < 1e-14 * (s[0] as number), `tail ${s[2]}, ${s[3]}`);
    assert.ok(orthonormalityError(v, [0, 1, 2, 3]) < 1e-13);
    assert.ok(orthonormalityError(u, [0, 1]) < 1e-13);
  });

  it('LR_r leaves the Eckart–Young error √(Σ_{k≥r} σ_k²)', () => {
    const sigma = [5, 3, 2, 0.5];
    const a = mat(withSingularValues(sigma, 4, 4, 21), 4, 4);
    const svd = jacobiSvd(a);
    for (const r of [0, 1, 2, 3]) {
      const lr = lowRankApproximation(svd, r);
      let err = 0;
      for (let k = 0; k < lr.length; k++) err += ((a.data[k] as number) - (lr[k] as number)) ** 2;
      const expected = Math.sqrt(sigma.slice(r).reduce((t, x) => t + x * x, 0));
      assert.ok(Math.abs(Math.sqrt(err) - expected) < 1e-12, `r=${r}: ${Math.sqrt(err)} vs ${expected}`);
    }
  });

  it('calls check before each sweep, stops at the sweep cap, and cancels when check throws', () => {
    const a = mat(gaussian(64, 8), 8, 8);
    let calls = 0;
    jacobiSvd(a, 2, () => calls++);
    assert.equal(calls, 2, 'a random 8×8 needs more than two sweeps, so the cap stops it');
    let free = 0;
    jacobiSvd(a, undefined, () => free++);
    assert.ok(free > 2 && free < 80, `converged in ${free} sweeps`);
    assert.throws(
      () =>
        jacobiSvd(a, undefined, () => {
          throw new Error('cancelled by caller');
        }),
      /cancelled by caller/,
    );
  });

  it('needs rows ≥ cols; singularValuesF64 transposes wide matrices itself', () => {
    const wide = mat(gaussian(12, 9), 3, 4);
    assert.throws(() => jacobiSvd(wide), RangeError);
    const s = singularValuesF64(wide);
    assert.equal(s.length, 3);
    assert.ok(maxAbsDiff(s, jacobiSvd(transpose(wide)).s) === 0);
    assert.ok(maxAbsDiff(s, referenceSigma(wide.data, 3, 4)) < 1e-12 * (s[0] as number));
  });
});
