/** Float64 dense kernels shared by the construction (training/) and the exact checks (analysis/). */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromRows, matmul64, productCore, qrR, singularValuesF64, SingularMatrixError, solve, transpose } from '../../../../src/engine/linalg';
import { gaussian, multiply, referenceSigma } from './fixtures';

describe('dense64', () => {
  it('matmul64 accepts float32 input and returns the float64 product', () => {
    const a = { data: Float32Array.from(gaussian(12, 1)), rows: 3, cols: 4 };
    const b = { data: gaussian(8, 2), rows: 4, cols: 2 };
    const c = matmul64(a, b);
    assert.ok(c.data instanceof Float64Array);
    assert.deepEqual([c.rows, c.cols], [3, 2]);
    assert.deepEqual(c.data, multiply(a.data, b.data, 3, 4, 2));
    assert.throws(() => matmul64(a, a), RangeError);
  });

  it('solve inverts a pivoting-needing system and names a singular one', () => {
    // The zero top-left entry forces a row swap.
    const a = fromRows([
      [0, 2, 1],
      [1, 1, 0],
      [3, 0, 1],
    ]);
    const x = fromRows([
      [1, -2],
      [0.5, 4],
      [-1, 3],
    ]);
    const solved = solve(a, matmul64(a, x), 'A');
    solved.data.forEach((v, k) => assert.ok(Math.abs(v - (x.data[k] as number)) < 1e-14, `entry ${k}: ${v}`));
    const singular = fromRows([
      [1, 2],
      [2, 4],
    ]);
    assert.throws(
      () => solve(singular, fromRows([[1], [1]]), 'the test matrix'),
      (e: unknown) => e instanceof SingularMatrixError && /the test matrix/.test(e.message),
    );
  });

  it('qrR keeps AᵀA and productCore keeps the singular values of a thin product', () => {
    const left = { data: gaussian(30, 3), rows: 10, cols: 3 };
    const right = { data: gaussian(24, 4), rows: 3, cols: 8 };
    const r = qrR(left);
    const gram = matmul64(transpose(left), left);
    const rtr = matmul64(transpose(r), r);
    gram.data.forEach((v, k) => assert.ok(Math.abs(v - (rtr.data[k] as number)) < 1e-12 * Math.abs(gram.data[0] as number)));
    const core = productCore(left, right);
    assert.deepEqual([core.rows, core.cols], [3, 3]);
    const ref = referenceSigma(multiply(left.data, right.data, 10, 3, 8), 10, 8);
    singularValuesF64(core).forEach((s, k) => assert.ok(Math.abs(s - (ref[k] as number)) < 1e-12 * (ref[0] as number), `σ_${k}`));
  });
});
