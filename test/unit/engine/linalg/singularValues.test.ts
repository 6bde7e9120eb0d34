import { before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import type { TensorBackend } from '../../../../src/engine/backend';
import {
  LinalgCancelledError,
  MatrixShapeError,
  NonFiniteMatrixError,
  numericalRank,
  singularValues,
  type LinalgContext,
} from '../../../../src/engine/linalg';
import { gaussian, plantedRank, referenceSigma, relativeError, REQUIRED_BACKENDS, useBackend, withSingularValues } from './fixtures';

/** Small blocks so the blocked backend path runs on matrices ml-matrix checks in milliseconds. */
const BLOCKED = { blockSize: 8, crossover: 16, float64WorkLimit: 0 };
/** The accuracy target for float32 input: |σ − σ_ref| ≤ 1e-6·σ₁ against a float64 reference. */
const TARGET = 1e-6;

for (const name of REQUIRED_BACKENDS) {
  describe(`singularValues on ${name}`, () => {
    let backend: TensorBackend;
    let ctx: LinalgContext;
    before(async () => {
      backend = await useBackend(name);
      ctx = { backend, ...BLOCKED };
    });

    const shapes: [string, number, number][] = [
      ['square', 64, 64],
      ['tall', 120, 48],
      ['wide', 40, 100],
    ];
    for (const [label, m, n] of shapes) {
      it(`random ${label} ${m}×${n} float32 within 1e-6·σ₁ of float64`, () => {
        const a = Float32Array.from(gaussian(m * n, m + n));
        const sigma = singularValues(a, m, n, ctx);
        assert.equal(sigma.length, Math.min(m, n));
        for (let k = 1; k < sigma.length; k++) assert.ok((sigma[k] as number) <= (sigma[k - 1] as number), 'descending');
        const err = relativeError(sigma, referenceSigma(a, m, n));
        assert.ok(err < TARGET, `error ${err}`);
      });
    }

    it('ill-conditioned 80×64 (σ from 1 down to 1e-9): small values keep absolute accuracy', () => {
      const planted = Array.from({ length: 64 }, (_, k) => 10 ** (-9 * k / 63));
      const a = Float32Array.from(withSingularValues(planted, 80, 64, 3));
      const ref = referenceSigma(a, 80, 64);
      const sigma = singularValues(a, 80, 64, ctx);
      const err = relativeError(sigma, ref);
      assert.ok(err < TARGET, `error ${err}`);
      // The float32 Gram route would smear everything below ≈3e-4·σ₁; check values well below that.
      const k = 30; // σ ≈ 4e-5
      assert.ok(Math.abs((sigma[k] as number) - (ref[k] as number)) < 1e-3 * (ref[k] as number), `σ_${k}`);
    });

    it('planted ranks: exact rank for float32 products of rank 1, 7 and 20', () => {
      for (const r of [1, 7, 20]) {
        const a = plantedRank(100, 72, r, 40 + r);
        const sigma = singularValues(a, 100, 72, ctx);
        assert.ok(relativeError(sigma, referenceSigma(a, 100, 72)) < TARGET);
        assert.equal(numericalRank(sigma, { m: 100, n: 72, dtype: 'F32' }).rank, r, `rank ${r}`);
      }
    });

    it('a panel that exhausts a low-rank matrix is redone in float64, so the tail stays at rounding level', () => {
      const m = 160;
      const n = 120;
      const a = plantedRank(m, n, 3, 77);
      const timings: Record<string, number> = {};
      const sigma = singularValues(a, m, n, { ...ctx, timings });
      assert.ok((timings['panels redone in float64'] ?? 0) >= 1, 'the first panel is redone');
      const ref = referenceSigma(a, m, n);
      const err = relativeError(sigma, ref);
      assert.ok(err < 1e-7, `error ${err}`);
      assert.ok((sigma[3] as number) < 1e-7 * (sigma[0] as number), 'σ₄ at rounding level');
    });

    it('diagonal matrix: σ are the sorted |diagonal|', () => {
      const n = 40;
      const a = new Float32Array(n * n);
      const diag = Array.from({ length: n }, (_, i) => ((i * 7) % n) - 20.5);
      diag.forEach((v, i) => (a[i * n + i] = v));
      const expected = diag.map(Math.abs).sort((x, y) => y - x);
      const sigma = singularValues(a, n, n, ctx);
      assert.ok(relativeError(sigma, expected) < TARGET);
    });

    it('zero matrix: all σ = 0 and rank 0; empty shapes give no σ', () => {
      const sigma = singularValues(new Float32Array(30 * 20), 30, 20, ctx);
      assert.deepEqual(Array.from(sigma), new Array(20).fill(0));
      assert.equal(numericalRank(sigma, { m: 30, n: 20, dtype: 'F32' }).rank, 0);
      assert.equal(singularValues(new Float32Array(0), 0, 5, ctx).length, 0);
    });

    it('W5: E = diag(4, 3, 2, 1) has σ = 4, 3, 2, 1', () => {
      const e = Float64Array.of(4, 0, 0, 0, 0, 3, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1);
      assert.deepEqual(Array.from(singularValues(e, 4, 4, ctx)).map((v) => Math.round(v * 1e9) / 1e9), [4, 3, 2, 1]);
    });

    it('scales: huge and tiny magnitudes (float64 beyond float32 range) give the same relative σ', () => {
      const m = 40;
      const n = 30;
      const base = gaussian(m * n, 9);
      const ref = referenceSigma(base, m, n);
      for (const scale of [1e300, 1e-300]) {
        const sigma = singularValues(base.map((v) => v * scale), m, n, { backend, blockSize: 4, crossover: 8, float64WorkLimit: 0 });
        assert.ok(relativeError(sigma.map((v) => v / scale), ref) < TARGET, `scale ${scale}`);
      }
    });

    it('float64 input small enough for the float64 path is accurate to ~1e-13', () => {
      const a = gaussian(50 * 40, 21);
      const err = relativeError(singularValues(a, 50, 40, { backend }), referenceSigma(a, 50, 40));
      assert.ok(err < 1e-12, `error ${err}`);
    });

    it('NaN or Infinity: a clear error naming the position', () => {
      const a = new Float32Array(20 * 20).fill(1);
      a[3 * 20 + 5] = Number.NaN;
      assert.throws(() => singularValues(a, 20, 20, ctx), (err: unknown) => err instanceof NonFiniteMatrixError && err.row === 3 && err.col === 5);
      a[3 * 20 + 5] = Number.POSITIVE_INFINITY;
      assert.throws(() => singularValues(a, 20, 20, ctx), /non-finite value \(Infinity\) at row 3, column 5/);
    });

    it('shape mismatch is a MatrixShapeError', () => {
      assert.throws(() => singularValues(new Float32Array(10), 3, 4, ctx), MatrixShapeError);
      assert.throws(() => singularValues(new Float32Array(10), -2, -5, ctx), MatrixShapeError);
    });

    it('leaks no tensors, reports progress and honours cancellation', () => {
      const before = backend.tf.memory().numTensors;
      const fractions: number[] = [];
      singularValues(Float32Array.from(gaussian(60 * 50, 2)), 60, 50, { ...ctx, onProgress: (f) => fractions.push(f) });
      assert.equal(backend.tf.memory().numTensors, before);
      assert.ok(fractions.length > 1 && fractions.at(-1) === 1, 'progress ends at 1');
      for (let k = 1; k < fractions.length; k++) assert.ok((fractions[k] as number) >= (fractions[k - 1] as number));

      const controller = new AbortController();
      controller.abort();
      assert.throws(() => singularValues(Float32Array.from(gaussian(60 * 50, 2)), 60, 50, { ...ctx, signal: controller.signal }), LinalgCancelledError);
      assert.equal(backend.tf.memory().numTensors, before, 'no tensors left after cancellation');
    });
  });
}
