import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TheoryInputError, paperNetworkBound, rigorousNetworkBound } from '../../../src/theory';
import { assertClose } from './helpers';

describe('rigorousNetworkBound', () => {
  it('is zero exactly when every block error is zero', () => {
    const base = { targetSpectralNorms: [2, 3, 1.5], targetBiasNorms: [1, 0.5, 0.25], inputSecondMomentTrace: 4 };
    assert.equal(rigorousNetworkBound({ ...base, blockErrors: [0, 0, 0] }).bound, 0);
    for (const k of [0, 1, 2]) {
      const E = [0, 0, 0];
      E[k] = 0.01;
      assert.ok(rigorousNetworkBound({ ...base, blockErrors: E }).bound > 0, `E_${k + 1} > 0`);
    }
  });

  it('matches a hand computation for L̄ = 2', () => {
    // B_0 = sqrt(9) = 3, B_1 = ‖W̄_1‖·B_0 + ‖b̄_1‖ = 2·3 + 1 = 7
    // terms: i=1: (‖W̄_2‖ + E_2)·E_1·B_0 = (4 + 0.5)·0.2·3 = 2.7; i=2: E_2·B_1 = 0.5·7 = 3.5
    const r = rigorousNetworkBound({
      targetSpectralNorms: [2, 4],
      targetBiasNorms: [1, 10],
      blockErrors: [0.2, 0.5],
      inputSecondMomentTrace: 9,
    });
    assertClose(r.terms[0], 2.7, 1e-12);
    assertClose(r.terms[1], 3.5, 1e-12);
    assertClose(r.bound, 6.2, 1e-12);
    assert.equal(r.guarantee, 'exact');
    assert.equal(r.reconstructed, undefined);
  });

  it('one target layer: E_1·sqrt(tr Σ)', () => {
    const r = rigorousNetworkBound({ targetSpectralNorms: [5], targetBiasNorms: [3], blockErrors: [0.3], inputSecondMomentTrace: 16 });
    assertClose(r.bound, 1.2, 1e-12);
  });

  it('rejects mismatched lengths and negative norms', () => {
    assert.throws(
      () => rigorousNetworkBound({ targetSpectralNorms: [1, 2], targetBiasNorms: [1], blockErrors: [0, 0], inputSecondMomentTrace: 1 }),
      (e: unknown) => e instanceof TheoryInputError && /targetBiasNorms has 1 entries, expected 2/.test(e.message),
    );
    assert.throws(() => rigorousNetworkBound({ targetSpectralNorms: [1], targetBiasNorms: [1], blockErrors: [-1], inputSecondMomentTrace: 1 }), TheoryInputError);
    assert.throws(() => rigorousNetworkBound({ targetSpectralNorms: [1], targetBiasNorms: [1], blockErrors: [0], inputSecondMomentTrace: -1 }), TheoryInputError);
    assert.throws(() => rigorousNetworkBound({ targetSpectralNorms: [], targetBiasNorms: [], blockErrors: [], inputSecondMomentTrace: 1 }), TheoryInputError);
  });
});

describe('paperNetworkBound (reconstructed)', () => {
  it('is labelled reconstructed and states its reading', () => {
    const r = paperNetworkBound({ targetFrobeniusNorms: [2], targetBiasNorms: [1], blockErrors: [0.1], inputSecondMomentFrobenius: 4 });
    assert.equal(r.reconstructed, true);
    assert.match(r.ruleText, /ρ = max_\{k=1..L̄\}/);
    assert.ok(r.caveats?.some((c) => /reconstructed/.test(c)));
  });

  it('matches a hand computation of the stated reading for L̄ = 2', () => {
    // C_0 = sqrt(4) = 2, C_1 = 2·2 + 1 = 5 → β = 5; ρ = max(2 + 0.2, 4 + 0.5) = 4.5
    // bound = β·(ρ·E_1 + E_2) = 5·(4.5·0.2 + 0.5) = 7
    const r = paperNetworkBound({ targetFrobeniusNorms: [2, 4], targetBiasNorms: [1, 10], blockErrors: [0.2, 0.5], inputSecondMomentFrobenius: 4 });
    assertClose(r.beta, 5, 1e-12);
    assertClose(r.growth, 4.5, 1e-12);
    assertClose(r.bound, 7, 1e-12);
  });

  it('is zero when every block error is zero', () => {
    assert.equal(paperNetworkBound({ targetFrobeniusNorms: [2, 4], targetBiasNorms: [1, 1], blockErrors: [0, 0], inputSecondMomentFrobenius: 4 }).bound, 0);
  });
});
