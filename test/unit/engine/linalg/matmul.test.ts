import { before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import type { TensorBackend } from '../../../../src/engine/backend';
import { blockProduct, MatrixShapeError, matmul, NonFiniteMatrixError, type DenseMatrix } from '../../../../src/engine/linalg';
import { gaussian, multiply, REQUIRED_BACKENDS, useBackend } from './fixtures';

function mat(rows: number, cols: number, values: number[]): DenseMatrix {
  return { data: Float64Array.from(values), rows, cols };
}

function close(actual: DenseMatrix, expected: ArrayLike<number>, rows: number, cols: number, tol = 1e-5): void {
  assert.equal(actual.rows, rows);
  assert.equal(actual.cols, cols);
  assert.equal(actual.data.length, expected.length);
  for (let k = 0; k < expected.length; k++) {
    assert.ok(Math.abs((actual.data[k] as number) - (expected[k] as number)) <= tol * (1 + Math.abs(expected[k] as number)), `entry ${k}`);
  }
}

for (const name of REQUIRED_BACKENDS) {
  describe(`matmul and blockProduct on ${name}`, () => {
    let backend: TensorBackend;
    before(async () => {
      backend = await useBackend(name);
    });

    it('matmul matches a float64 product (rectangular)', () => {
      const a = gaussian(7 * 5, 1);
      const b = gaussian(5 * 3, 2);
      close(matmul({ data: a, rows: 7, cols: 5 }, { data: b, rows: 5, cols: 3 }, { backend }), multiply(a, b, 7, 5, 3), 7, 3);
    });

    it('block product is in layer order: later layers on the left (W₂·W₁·W₀)', () => {
      // Non-commuting: a shear, a rotation by 90°, a diagonal scaling.
      const w0 = mat(2, 2, [1, 1, 0, 1]);
      const w1 = mat(2, 2, [0, -1, 1, 0]);
      const w2 = mat(2, 2, [2, 0, 0, 3]);
      // W₁·W₀ = [[0,-1],[1,1]]; W₂·(W₁·W₀) = [[0,-2],[3,3]].
      close(blockProduct([w0, w1, w2], { backend }), [0, -2, 3, 3], 2, 2, 1e-7);
      // Listing the layers the other way round means W₀ acts last: W₀·W₁·W₂ = [[2,-3],[2,0]].
      close(blockProduct([w2, w1, w0], { backend }), [2, -3, 2, 0], 2, 2, 1e-7);
    });

    it('chains rectangular layers in → out and checks the shapes', () => {
      const w0 = { data: gaussian(6 * 4, 3), rows: 6, cols: 4 }; // 4 → 6
      const w1 = { data: gaussian(5 * 6, 4), rows: 5, cols: 6 }; // 6 → 5
      const p = blockProduct([w0, w1], { backend });
      close(p, multiply(w1.data, w0.data, 5, 6, 4), 5, 4);
      assert.throws(() => blockProduct([w1, w0], { backend }), (e: unknown) => e instanceof MatrixShapeError && /layer 1 takes 4 inputs but layer 0 gives 5/.test(e.message));
      assert.throws(() => blockProduct([], { backend }), MatrixShapeError);
    });

    it('a single layer is returned as is; NaN is rejected; no tensors leak', () => {
      const before = backend.tf.memory().numTensors;
      const one = blockProduct([mat(1, 2, [1, 2])], { backend });
      assert.deepEqual([one.rows, one.cols, Array.from(one.data)], [1, 2, [1, 2]]);
      assert.throws(() => blockProduct([mat(1, 1, [1]), mat(1, 1, [Number.NaN])], { backend }), NonFiniteMatrixError);
      blockProduct([mat(2, 2, [1, 2, 3, 4]), mat(2, 2, [1, 0, 0, 1])], { backend });
      assert.equal(backend.tf.memory().numTensors, before);
    });
  });
}
