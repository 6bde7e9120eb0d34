import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TheoryInputError, fnnThresholdFromRanks, fnnWorstCaseThreshold, uniformPartition } from '../../../src/theory';

describe('fnnWorstCaseThreshold', () => {
  it('W1: D=16, L=4, L̄=2 → M=2, [[1,2],[3,4]], R=8 (headline 8 exactly)', () => {
    const t = fnnWorstCaseThreshold(16, 4, 2);
    assert.equal(t.depthRatio, 2);
    assert.deepEqual(t.partition, [[1, 2], [3, 4]]);
    assert.equal(t.requiredRank, 8);
    assert.equal(t.headline, 8);
    assert.equal(t.headlineCeil, 8);
    assert.equal(t.guarantee, 'exact');
    assert.equal(t.rule, 'fnn-uniform-worst-case');
    assert.ok(t.ruleText.length > 0);
    assert.ok(!t.caveats?.some((c) => /does not divide/.test(c)));
  });

  it('W2: D=16, L=8, L̄=1 → M=8, R=2', () => {
    const t = fnnWorstCaseThreshold(16, 8, 1);
    assert.equal(t.depthRatio, 8);
    assert.equal(t.requiredRank, 2);
  });

  it('W3: D=16, L=5, L̄=2 → guaranteed 8, not the headline ⌈6.4⌉ = 7, and says so', () => {
    const t = fnnWorstCaseThreshold(16, 5, 2);
    assert.equal(t.requiredRank, 8);
    assert.equal(t.headline, 6.4);
    assert.equal(t.headlineCeil, 7);
    assert.deepEqual(t.partition, [[1, 2], [3, 4, 5]]);
    assert.ok(t.caveats?.some((c) => /does not divide/.test(c) && /8/.test(c) && /7/.test(c)));
  });

  it('W4: D=16, L=3, L̄=1 → ⌈16/3⌉ = 6', () => {
    assert.equal(fnnWorstCaseThreshold(16, 3, 1).requiredRank, 6);
  });

  it('L̄ = L: M=1, R=D', () => {
    assert.equal(fnnWorstCaseThreshold(16, 3, 3).requiredRank, 16);
  });

  it('rejects bad widths and depths', () => {
    assert.throws(() => fnnWorstCaseThreshold(-4, 4, 2), (e: unknown) => e instanceof TheoryInputError && /D \(width\)/.test(e.message));
    assert.throws(() => fnnWorstCaseThreshold(0, 4, 2), TheoryInputError);
    assert.throws(() => fnnWorstCaseThreshold(16, 2, 4), /exceeds frozen depth/);
  });
});

describe('fnnThresholdFromRanks', () => {
  it('W11: L̄=L=3, D=16, one layer differs by rank 2 → threshold 2', () => {
    const t = fnnThresholdFromRanks([0, 2, 0], uniformPartition(3, 3), 16);
    assert.equal(t.requiredRank, 2);
    assert.deepEqual(t.bindingBlocks, [2]);
    assert.equal(t.uniform, true);
  });

  it('uniform partition with full-rank discrepancies reproduces the worst case (W1)', () => {
    assert.equal(fnnThresholdFromRanks([16, 16], uniformPartition(4, 2), 16).requiredRank, 8);
  });

  it('uses each block size: W3 ranks 16 → max(⌈16/2⌉, ⌈16/3⌉) = 8; ranks (10, 16) → max(5, 6) = 6', () => {
    assert.equal(fnnThresholdFromRanks([16, 16], uniformPartition(5, 2)).requiredRank, 8);
    const t = fnnThresholdFromRanks([10, 16], uniformPartition(5, 2));
    assert.equal(t.requiredRank, 6);
    assert.deepEqual(t.blocks.map((b) => b.requiredRank), [5, 6]);
    assert.deepEqual(t.bindingBlocks, [2]);
  });

  it('general partition: [[1],[2,3,4]] with ranks (2, 16) → 6', () => {
    const t = fnnThresholdFromRanks([2, 16], [[1], [2, 3, 4]], 16);
    assert.equal(t.requiredRank, 6);
    assert.equal(t.uniform, false);
    assert.equal(t.rule, 'fnn-general-partition');
  });

  it('zero discrepancy → 0 and no binding block; rank-deficient discrepancy is fine', () => {
    const zero = fnnThresholdFromRanks([0, 0], uniformPartition(4, 2), 16);
    assert.equal(zero.requiredRank, 0);
    assert.deepEqual(zero.bindingBlocks, []);
    assert.equal(fnnThresholdFromRanks([3, 1], uniformPartition(4, 2), 16).requiredRank, 2);
  });

  it('rejects negative or fractional ranks, ranks above D, wrong counts, bad partitions', () => {
    assert.throws(() => fnnThresholdFromRanks([-1, 2], uniformPartition(4, 2)), TheoryInputError);
    assert.throws(() => fnnThresholdFromRanks([1.5, 2], uniformPartition(4, 2)), TheoryInputError);
    assert.throws(() => fnnThresholdFromRanks([17, 2], uniformPartition(4, 2), 16), /exceeds the width D=16/);
    assert.doesNotThrow(() => fnnThresholdFromRanks([17, 2], uniformPartition(4, 2)));
    assert.throws(() => fnnThresholdFromRanks([1], uniformPartition(4, 2)), /expected 2 discrepancy ranks/);
    assert.throws(() => fnnThresholdFromRanks([1, 1], [[1, 2], [4]]), TheoryInputError);
  });
});
