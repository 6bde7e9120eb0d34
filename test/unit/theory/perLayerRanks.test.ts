import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TheoryInputError, blockRankSums, constructionRanks, uniformPartition } from '../../../src/theory';

describe('blockRankSums', () => {
  const P = uniformPartition(4, 2);

  it('W8: D=16, L=4, L̄=2, random model: (8,9,10,11) is exact', () => {
    const r = blockRankSums([8, 9, 10, 11], P, 16);
    assert.deepEqual(r.blocks.map((b) => b.rankSum), [17, 21]);
    assert.deepEqual(r.blocks.map((b) => b.exact), [true, true]);
    assert.equal(r.allExact, true);
    assert.ok(r.caveats?.some((c) => /assumed full/.test(c)));
  });

  it('W8: (8,7,6,5) is not (block sums 15 and 11 < 16)', () => {
    const r = blockRankSums([8, 7, 6, 5], P, 16);
    assert.deepEqual(r.blocks.map((b) => b.rankSum), [15, 11]);
    assert.equal(r.allExact, false);
    assert.deepEqual(r.blocks.map((b) => b.exact), [false, false]);
  });

  it('uses given discrepancy ranks: (8,7,6,5) covers ranks (15, 11) exactly', () => {
    const r = blockRankSums([8, 7, 6, 5], P, 16, [15, 11]);
    assert.equal(r.allExact, true);
    assert.equal(blockRankSums([8, 7, 6, 5], P, 16, [15, 12]).allExact, false);
  });

  it('clips ranks above D instead of failing, and accepts zeros', () => {
    const r = blockRankSums([40, 0, 0, 0], P, 16);
    assert.deepEqual(r.blocks.map((b) => b.rankSum), [16, 0]);
    assert.deepEqual(r.blocks.map((b) => b.exact), [true, false]);
    assert.equal(blockRankSums([0, 0, 0, 0], P, 16, [0, 0]).allExact, true);
  });

  it('only the total per block matters', () => {
    assert.equal(blockRankSums([16, 0, 0, 16], P, 16).allExact, true);
    assert.equal(blockRankSums([8, 8, 8, 8], P, 16).allExact, true);
  });

  it('rejects wrong lengths, negative ranks and discrepancy ranks above D', () => {
    assert.throws(() => blockRankSums([8, 9, 10], P, 16), /expected 4 per-layer ranks/);
    assert.throws(() => blockRankSums([8, -1, 10, 11], P, 16), TheoryInputError);
    assert.throws(() => blockRankSums([8, 9, 10, 11], P, 16, [17, 1]), /exceeds the width/);
    assert.throws(() => blockRankSums([8, 9, 10, 11], P, 16, [1]), /expected 2 discrepancy ranks/);
  });
});

describe('constructionRanks', () => {
  it('W4: D=16, 3 layers, R=6 → [6, 6, 4]', () => {
    assert.deepEqual(constructionRanks(16, 3, 6), [6, 6, 4]);
  });

  it('R above D is clipped, R = 0 gives zeros', () => {
    assert.deepEqual(constructionRanks(16, 3, 20), [16, 0, 0]);
    assert.deepEqual(constructionRanks(16, 2, 0), [0, 0]);
  });

  it('below the threshold every layer gets R; a rank-deficient E needs fewer', () => {
    assert.deepEqual(constructionRanks(16, 3, 4), [4, 4, 4]);
    assert.deepEqual(constructionRanks(16, 3, 6, 7), [6, 1, 0]);
    assert.deepEqual(constructionRanks(16, 3, 6, 0), [0, 0, 0]);
  });

  it('rejects bad input', () => {
    assert.throws(() => constructionRanks(16, 0, 6), TheoryInputError);
    assert.throws(() => constructionRanks(16, 3, -1), TheoryInputError);
    assert.throws(() => constructionRanks(16, 3, 6, 17), /exceeds the width/);
  });
});
