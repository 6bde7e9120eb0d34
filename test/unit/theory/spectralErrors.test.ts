import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  TheoryInputError,
  blockErrors,
  errorTable,
  frobeniusErrorAfterRank,
  linearModelError,
  rankFromSingularValues,
  retainedEnergy,
  smallestRankForError,
  spectralErrorAfterRank,
  uniformPartition,
} from '../../../src/theory';
import { assertClose } from './helpers';

// W10's discrepancy spectrum (D=8).
const W10 = [0.718, 0.6025, 0.3661, 0.3111, 0.2087, 0.1261, 0.0905, 0.0088];
// W9's: eight equal singular values.
const W9 = new Array<number>(8).fill(0.582);

describe('spectral / Frobenius errors and retained energy', () => {
  it('σ_{k+1}, with σ_k = 0 beyond the array', () => {
    assert.equal(spectralErrorAfterRank([4, 3, 2, 1], 0), 4);
    assert.equal(spectralErrorAfterRank([4, 3, 2, 1], 2), 2);
    assert.equal(spectralErrorAfterRank([4, 3, 2, 1], 4), 0);
    assert.equal(spectralErrorAfterRank([4, 3, 2, 1], 99), 0);
    assert.equal(spectralErrorAfterRank([], 0), 0);
  });

  it('Frobenius tail', () => {
    assertClose(frobeniusErrorAfterRank([4, 3, 2, 1], 2), Math.sqrt(5));
    assertClose(frobeniusErrorAfterRank([4, 3, 2, 1], 0), Math.sqrt(30));
    assert.equal(frobeniusErrorAfterRank([4, 3, 2, 1], 4), 0);
  });

  it('retained energy', () => {
    assertClose(retainedEnergy([4, 3, 2, 1], 2), 25 / 30);
    assert.equal(retainedEnergy([4, 3, 2, 1], 0), 0);
    assert.equal(retainedEnergy([4, 3, 2, 1], 10), 1);
    assert.equal(retainedEnergy([0, 0], 0), 1, 'a zero matrix needs nothing');
  });

  it('rank from singular values, with a tolerance', () => {
    assert.equal(rankFromSingularValues([4, 3, 0, 0]), 2);
    assert.equal(rankFromSingularValues([4, 3, 1e-9], 1e-6), 2);
    assert.equal(rankFromSingularValues([]), 0);
  });

  it('rejects unsorted, negative, NaN spectra and negative ranks', () => {
    assert.throws(() => spectralErrorAfterRank([1, 2], 0), /sorted descending/);
    assert.throws(() => spectralErrorAfterRank([2, -1], 0), TheoryInputError);
    assert.throws(() => frobeniusErrorAfterRank([Number.NaN], 0), TheoryInputError);
    assert.throws(() => spectralErrorAfterRank([2, 1], -1), TheoryInputError);
    assert.doesNotThrow(() => spectralErrorAfterRank([0.582, 0.582 * (1 + 1e-12)], 0), 'round-off between equal values');
  });
});

describe('linearModelError', () => {
  it('W5: W1=W2=I, W̄=I+diag(4,3,2,1): rank 4, threshold 2; R=1 → σ_3=2, Frobenius √5; R=2 → 0', () => {
    const r1 = linearModelError([4, 3, 2, 1], 1, 2);
    assert.equal(r1.discrepancyRank, 4);
    assert.equal(r1.requiredRank, 2);
    assert.equal(r1.spectral, 2);
    assertClose(r1.frobenius, Math.sqrt(5));
    assert.equal(r1.exact, false);
    const r2 = linearModelError([4, 3, 2, 1], 2, 2);
    assert.equal(r2.spectral, 0);
    assert.equal(r2.frobenius, 0);
    assert.equal(r2.exact, true);
    assert.equal(r2.guarantee, 'exact');
  });

  it('W6: W̄=I+diag(4,3,0,0): threshold 1, R=1 error 0', () => {
    const r = linearModelError([4, 3, 0, 0], 1, 2);
    assert.equal(r.requiredRank, 1);
    assert.equal(r.spectral, 0);
    assert.equal(r.frobenius, 0);
    assert.equal(r.exact, true);
  });

  it('R = 0 leaves the whole discrepancy; zero discrepancy needs nothing', () => {
    assert.equal(linearModelError([4, 3, 2, 1], 0, 2).spectral, 4);
    const z = linearModelError([0, 0, 0], 0, 3);
    assert.equal(z.requiredRank, 0);
    assert.equal(z.exact, true);
  });
});

describe('blockErrors', () => {
  it('W9: σ(E) all 0.5820, D=8, M=2, R=3 → σ_7 = 0.5820, Frobenius 0.8231 (threshold ⌈8/2⌉ = 4)', () => {
    const r = blockErrors([W9, W9], 3, uniformPartition(4, 2), 'uniform-M');
    for (const b of r.blocks) {
      assert.equal(b.multiplier, 2);
      assert.equal(b.correctableRank, 6);
      assertClose(b.spectral, 0.582);
      assertClose(b.frobenius, 0.8231);
    }
    assert.equal(r.mode, 'uniform-M');
    assert.equal(smallestRankForError(W9, 2, 0, 'spectral').requiredRank, 4);
    assert.equal(blockErrors([W9, W9], 4, uniformPartition(4, 2)).maxSpectral, 0);
  });

  it('W10: M=2, R=2 → σ_5 = 0.2087, Frobenius 0.2602', () => {
    const r = blockErrors([W10], 2, uniformPartition(2, 1));
    assertClose(r.blocks[0].spectral, 0.2087);
    assertClose(r.blocks[0].frobenius, 0.2602);
  });

  it('general |P_i| vs the paper\'s uniform M differ on the longer last block', () => {
    const P = uniformPartition(5, 2); // [[1,2],[3,4,5]]
    const general = blockErrors([W10, W10], 2, P, 'block-size');
    const paper = blockErrors([W10, W10], 2, P, 'uniform-M');
    assert.deepEqual(general.blocks.map((b) => b.multiplier), [2, 3]);
    assert.deepEqual(paper.blocks.map((b) => b.multiplier), [2, 2]);
    assertClose(general.blocks[1].spectral, 0.0905); // σ_7
    assertClose(paper.blocks[1].spectral, 0.2087); // σ_5
    assert.notEqual(general.rule, paper.rule);
  });

  it("rejects 'uniform-M' on a non-uniform partition and wrong block counts", () => {
    assert.throws(() => blockErrors([W10, W10], 1, [[1], [2, 3, 4]], 'uniform-M'), /uniform partition only/);
    assert.throws(() => blockErrors([W10], 1, uniformPartition(4, 2)), /for 2 blocks/);
    assert.throws(() => blockErrors([W10, [1, 2]], 1, uniformPartition(4, 2)), /E_2 must be sorted/);
  });
});

describe('smallestRankForError', () => {
  it('W10: smallest R with spectral error below 0.1 on 2 layers is 3', () => {
    const r = smallestRankForError(W10, 2, 0.1, 'spectral');
    assert.equal(r.requiredRank, 3);
    assertClose(r.spectral, 0.0905);
  });

  it('Frobenius version, and tolerance 0 gives the exact threshold', () => {
    // tails after k: k=6 → sqrt(.0905²+.0088²)=0.0909 ≤ 0.1; k=5 → 0.1550 > 0.1, so k=6, R=⌈6/2⌉=3
    assert.equal(smallestRankForError(W10, 2, 0.1, 'frobenius').requiredRank, 3);
    assert.equal(smallestRankForError(W10, 1, 0.1, 'frobenius').requiredRank, 6);
    assert.equal(smallestRankForError(W10, 2, 0, 'spectral').requiredRank, 4);
    assert.equal(smallestRankForError([4, 3, 0, 0], 2, 0, 'frobenius').requiredRank, 1);
    assert.equal(smallestRankForError([], 3, 0, 'spectral').requiredRank, 0);
    assert.equal(smallestRankForError(W10, 2, 1, 'spectral').requiredRank, 0);
  });

  it('rejects negative tolerances and block sizes below 1', () => {
    assert.throws(() => smallestRankForError(W10, 2, -0.1, 'spectral'), TheoryInputError);
    assert.throws(() => smallestRankForError(W10, 0, 0.1, 'spectral'), TheoryInputError);
  });
});

describe('errorTable', () => {
  it('one row per rank 0…D with per-block spectral and Frobenius errors', () => {
    const rows = errorTable([W10, [4, 3, 2, 1]], 8, [2, 1]);
    assert.equal(rows.length, 9);
    assert.deepEqual(rows.map((r) => r.rank), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assertClose(rows[2].spectral[0], 0.2087);
    assertClose(rows[2].frobenius[0], 0.2602);
    assert.equal(rows[1].spectral[1], 3);
    assertClose(rows[1].frobenius[1], Math.sqrt(14));
    assert.deepEqual(rows[8].spectral, [0, 0]);
    assert.deepEqual(rows[8].frobenius, [0, 0]);
  });

  it('agrees with the single-value functions everywhere', () => {
    const rows = errorTable([W10], 8);
    for (const row of rows) {
      assertClose(row.spectral[0], spectralErrorAfterRank(W10, row.rank), 1e-12);
      assertClose(row.frobenius[0], frobeniusErrorAfterRank(W10, row.rank), 1e-12);
    }
  });

  it('rejects mismatched block sizes', () => {
    assert.throws(() => errorTable([W10], 4, [1, 2]), /expected 1 block sizes/);
  });
});
