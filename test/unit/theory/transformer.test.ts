import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TheoryInputError, transformerThresholdFromGaps, transformerWorstCase } from '../../../src/theory';

describe('transformerWorstCase', () => {
  it('W7: D = 16 / 768 / 1024 / 7 → 8 / 384 / 512 / 4', () => {
    assert.deepEqual([16, 768, 1024, 7].map((D) => transformerWorstCase(D).requiredRank), [8, 384, 512, 4]);
    assert.equal(transformerWorstCase(16).guarantee, 'exact');
  });

  it('rejects non-positive or fractional D', () => {
    assert.throws(() => transformerWorstCase(0), TheoryInputError);
    assert.throws(() => transformerWorstCase(7.5), TheoryInputError);
  });
});

describe('transformerThresholdFromGaps', () => {
  it('W7: gaps [5, 3, 6] → 3', () => {
    const r = transformerThresholdFromGaps([5, 3, 6]);
    assert.equal(r.requiredRank, 3);
    assert.deepEqual(r.perGap, [3, 2, 3]);
    assert.deepEqual(r.bindingGaps, [1, 3]);
  });

  it('zero gaps need rank 0; gaps above D are rejected', () => {
    assert.equal(transformerThresholdFromGaps([0, 0]).requiredRank, 0);
    assert.deepEqual(transformerThresholdFromGaps([0, 0]).bindingGaps, []);
    assert.throws(() => transformerThresholdFromGaps([17], 16), /exceeds the embedding size/);
    assert.throws(() => transformerThresholdFromGaps([]), TheoryInputError);
    assert.throws(() => transformerThresholdFromGaps([-1]), TheoryInputError);
  });
});
