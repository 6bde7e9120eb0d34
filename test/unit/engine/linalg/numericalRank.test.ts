import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { DTYPE_EPSILON, numericalRank, rankTolerance, truncationErrors } from '../../../../src/engine/linalg';

describe('numericalRank', () => {
  it('tolerance = max(m, n)·ε_dtype·scale for every dtype', () => {
    assert.equal(DTYPE_EPSILON.F32, 2 ** -23);
    assert.equal(DTYPE_EPSILON.F16, 2 ** -10);
    assert.equal(DTYPE_EPSILON.BF16, 2 ** -7);
    assert.equal(DTYPE_EPSILON.F64, 2 ** -52);
    assert.equal(rankTolerance(1024, 4096, 'F32', 3), 4096 * 2 ** -23 * 3);
    assert.equal(rankTolerance(16, 8, 'BF16', 1), 16 / 128);
    assert.equal(rankTolerance(16, 8, 'F16', 2), (16 * 2) / 1024);
    assert.equal(rankTolerance(10, 10, 'F64', 1), 10 * 2 ** -52);
  });

  it('counts σ strictly above the tolerance and reports it; the default scale is σ₁', () => {
    const sigma = [10, 1, 0.2, 0.05, 0];
    // BF16, 16×8: tol = 16/128·10 = 1.25 → only 10 counts.
    assert.deepEqual(numericalRank(sigma, { m: 16, n: 8, dtype: 'BF16' }), { rank: 1, tolerance: 1.25, scale: 10 });
    // F16 with scale 1: tol = 16/1024 = 0.015625 → 10, 1, 0.2, 0.05.
    assert.equal(numericalRank(sigma, { m: 16, n: 8, dtype: 'F16', scale: 1 }).rank, 4);
    // The same σ stored in F32 keep everything nonzero.
    assert.equal(numericalRank(sigma, { m: 16, n: 8, dtype: 'F32' }).rank, 4);
  });

  it('a zero matrix has rank 0', () => {
    assert.deepEqual(numericalRank([0, 0, 0], { m: 3, n: 3, dtype: 'F32' }), { rank: 0, tolerance: 0, scale: 0 });
    assert.equal(numericalRank([], { m: 0, n: 0, dtype: 'F64' }).rank, 0);
  });

  it('rejects negative or non-finite σ and scale', () => {
    assert.throws(() => numericalRank([1, -1], { m: 2, n: 2, dtype: 'F32' }), /singular value 1/);
    assert.throws(() => numericalRank([1, Number.NaN], { m: 2, n: 2, dtype: 'F32' }), /singular value 1/);
    assert.throws(() => numericalRank([1], { m: 1, n: 1, dtype: 'F32', scale: Number.POSITIVE_INFINITY }), /scale/);
  });
});

describe('truncationErrors', () => {
  it('W5: σ = 4, 3, 2, 1 → after rank 2 the spectral error is 2 and the Frobenius error √5', () => {
    const { spectral, frobenius } = truncationErrors([4, 3, 2, 1]);
    assert.deepEqual(Array.from(spectral), [4, 3, 2, 1, 0]);
    assert.equal(spectral[2], 2);
    assert.equal(frobenius[2], Math.sqrt(5));
    assert.equal(frobenius[0], Math.sqrt(30));
    assert.equal(frobenius[4], 0);
  });

  it('W10: σ = .7180 .6025 .3661 .3111 .2087 .1261 .0905 .0088 → rank 4 leaves σ₅ = .2087, Frobenius ≈ .2602', () => {
    const { spectral, frobenius } = truncationErrors([0.718, 0.6025, 0.3661, 0.3111, 0.2087, 0.1261, 0.0905, 0.0088]);
    assert.equal(spectral[4], 0.2087);
    assert.ok(Math.abs((frobenius[4] as number) - 0.2602) < 5e-5);
  });

  it('empty input gives the single rank-0 entry; unsorted input is rejected', () => {
    const { spectral, frobenius } = truncationErrors([]);
    assert.deepEqual([Array.from(spectral), Array.from(frobenius)], [[0], [0]]);
    assert.throws(() => truncationErrors([1, 2]), /descending/);
  });
});
