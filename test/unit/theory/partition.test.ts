import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  TheoryInputError,
  depthRatio,
  isUniformPartition,
  partitionShape,
  uniformPartition,
  validatePartition,
} from '../../../src/theory';

describe('depthRatio', () => {
  it('is ⌊L/L̄⌋ (W1: L=4, L̄=2 → 2; W2: L=8, L̄=1 → 8; W3: L=5, L̄=2 → 2; W11: L=L̄=3 → 1)', () => {
    assert.equal(depthRatio(4, 2), 2);
    assert.equal(depthRatio(8, 1), 8);
    assert.equal(depthRatio(5, 2), 2);
    assert.equal(depthRatio(3, 3), 1);
  });

  it('rejects L̄ > L, L̄ < 1 and non-integers with a clear message', () => {
    assert.throws(() => depthRatio(3, 4), (e: unknown) => e instanceof TheoryInputError && /L̄=4 exceeds frozen depth L=3/.test(e.message));
    assert.throws(() => depthRatio(3, 0), TheoryInputError);
    assert.throws(() => depthRatio(0, 0), TheoryInputError);
    assert.throws(() => depthRatio(4.5, 2), /must be an integer/);
    assert.throws(() => depthRatio(4, 1.5), /must be an integer/);
    assert.throws(() => depthRatio(Number.NaN, 1), TheoryInputError);
  });
});

describe('uniformPartition', () => {
  it('W1: L=4, L̄=2 → [[1,2],[3,4]]', () => {
    assert.deepEqual(uniformPartition(4, 2), [[1, 2], [3, 4]]);
  });

  it('W3: L=5, L̄=2 → the last block takes the leftover layer', () => {
    assert.deepEqual(uniformPartition(5, 2), [[1, 2], [3, 4, 5]]);
  });

  it('L̄ = L gives singletons and L̄ = 1 one block', () => {
    assert.deepEqual(uniformPartition(3, 3), [[1], [2], [3]]);
    assert.deepEqual(uniformPartition(4, 1), [[1, 2, 3, 4]]);
  });

  it('L=7, L̄=3 → M=2, last block of 3', () => {
    assert.deepEqual(uniformPartition(7, 3), [[1, 2], [3, 4], [5, 6, 7]]);
  });

  it('always validates and is recognised as uniform', () => {
    for (let L = 1; L <= 9; L++) {
      for (let Lbar = 1; Lbar <= L; Lbar++) {
        const p = uniformPartition(L, Lbar);
        assert.doesNotThrow(() => validatePartition(p, L, Lbar));
        assert.ok(isUniformPartition(p));
      }
    }
  });

  it('rejects L̄ > L', () => {
    assert.throws(() => uniformPartition(2, 3), TheoryInputError);
  });
});

describe('validatePartition', () => {
  const bad: [string, number[][], number, number, RegExp][] = [
    ['wrong block count', [[1, 2], [3], [4]], 4, 2, /3 blocks but the target has L̄=2/],
    ['empty block', [[1, 2], []], 2, 2, /block 2 is empty/],
    ['gap between blocks', [[1, 2], [4, 5]], 5, 2, /block 2 has layer 4 where layer 3 was expected/],
    ['not ordered', [[3, 4], [1, 2]], 4, 2, /block 1 has layer 3 where layer 1 was expected/],
    ['unordered inside a block', [[2, 1], [3, 4]], 4, 2, /layer 2 where layer 1 was expected/],
    ['duplicate layer', [[1, 2], [2, 3, 4]], 4, 2, /layer 2 where layer 3 was expected/],
    ['does not reach L', [[1, 2], [3]], 4, 2, /covers layers 1..3 but the frozen model has L=4/],
    ['layer beyond L', [[1, 2], [3, 4, 5]], 4, 2, /layer 5, outside 1..4/],
    ['layer 0', [[0, 1], [2, 3]], 3, 2, /layer 0, outside 1..3/],
    ['non-integer layer', [[1, 1.5], [2]], 2, 2, /not a layer index/],
  ];
  for (const [name, p, L, Lbar, message] of bad) {
    it(`rejects: ${name}`, () => {
      assert.throws(() => validatePartition(p, L, Lbar), (e: unknown) => e instanceof TheoryInputError && message.test(e.message));
    });
  }

  it('accepts a non-uniform ordered partition', () => {
    assert.doesNotThrow(() => validatePartition([[1], [2, 3, 4]], 4, 2));
    assert.equal(isUniformPartition([[1], [2, 3, 4]]), false);
  });

  it('partitionShape infers L and L̄ and validates', () => {
    assert.deepEqual(partitionShape([[1], [2, 3, 4]]), { L: 4, Lbar: 2 });
    assert.throws(() => partitionShape([]), /at least one block/);
    assert.throws(() => partitionShape([[1], []]), /block 2 is empty/);
    assert.throws(() => partitionShape([[1], [2]], 3), /covers layers 1..2/);
  });
});
