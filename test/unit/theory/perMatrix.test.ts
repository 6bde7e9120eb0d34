import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  TheoryInputError,
  kvHeadOfQueryHead,
  matrixRankBound,
  perHeadRequiredRank,
  perHeadThreshold,
  perMatrixError,
  perMatrixRequiredRank,
} from '../../../src/theory';
import { assertClose } from './helpers';

describe('per matrix', () => {
  it('exact iff r ≥ rank(ΔW)', () => {
    const r = perMatrixRequiredRank(12, { inFeatures: 64, outFeatures: 32 });
    assert.equal(r.requiredRank, 12);
    assert.equal(r.guarantee, 'exact');
    assert.throws(() => perMatrixRequiredRank(33, { inFeatures: 64, outFeatures: 32 }), /exceeds min\(in, out\)=32/);
    assert.throws(() => perMatrixRequiredRank(-1), TheoryInputError);
  });

  it('errors below the delta rank come from σ(ΔW)', () => {
    const e = perMatrixError([4, 3, 2, 1], 2);
    assert.equal(e.spectral, 2);
    assertClose(e.frobenius, Math.sqrt(5));
    assertClose(e.retainedEnergy, 25 / 30);
    assert.equal(e.exact, false);
    assert.equal(e.deltaRank, 4);
    const z = perMatrixError([4, 3, 0, 0], 2);
    assert.equal(z.exact, true);
    assert.equal(z.spectral, 0);
    assert.equal(z.retainedEnergy, 1);
    assert.equal(perMatrixError([4, 3, 2, 1], 0).spectral, 4);
  });

  it('architecture-only bound min(in, out)', () => {
    assert.equal(matrixRankBound(4096, 1024).requiredRank, 1024);
    assert.equal(matrixRankBound(10, 10000).guarantee, 'exact');
    assert.throws(() => matrixRankBound(-1, 4), TheoryInputError);
  });
});

describe('per attention head', () => {
  it('⌈G_h/2⌉ is a lower bound, labelled "ignoring RoPE" with rotary embeddings', () => {
    const r = perHeadRequiredRank(7, true);
    assert.equal(r.requiredRank, 4);
    assert.equal(r.guarantee, 'lower-bound');
    assert.deepEqual(r.caveats, ['ignoring RoPE']);
    assert.deepEqual(perHeadRequiredRank(6, false).caveats, []);
    assert.equal(perHeadRequiredRank(0, false).requiredRank, 0);
  });

  it('max over heads', () => {
    const r = perHeadThreshold([5, 3, 6, 0], false);
    assert.equal(r.requiredRank, 3);
    assert.deepEqual(r.perHead, [3, 2, 3, 0]);
    assert.throws(() => perHeadThreshold([], false), TheoryInputError);
  });

  it('GQA: g(h) = ⌊h / (H/H_kv)⌋, 0-based', () => {
    // Llama-3-8B style: 32 query heads, 8 KV heads → 4 query heads per KV head.
    assert.deepEqual([0, 3, 4, 31].map((h) => kvHeadOfQueryHead(h, 32, 8)), [0, 0, 1, 7]);
    assert.equal(kvHeadOfQueryHead(5, 12, 12), 5, 'multi-head attention: identity');
    assert.equal(kvHeadOfQueryHead(5, 12, 1), 0, 'multi-query attention');
    assert.throws(() => kvHeadOfQueryHead(0, 12, 5), /not divisible/);
    assert.throws(() => kvHeadOfQueryHead(12, 12, 4), /out of range/);
    assert.throws(() => kvHeadOfQueryHead(-1, 12, 4), TheoryInputError);
  });
});
