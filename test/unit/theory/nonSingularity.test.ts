import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HYPOTHESIS_NOT_MET, TheoryInputError, nonSingularityHypothesis } from '../../../src/theory';

describe('nonSingularityHypothesis', () => {
  it('is met when every smallest singular value is above its tolerance', () => {
    const r = nonSingularityHypothesis([
      { label: 'W_1', minSingularValue: 0.3, tolerance: 1e-5 },
      { label: 'W_2 W_1 + LR_8(E_1)', minSingularValue: 0.01, tolerance: 1e-5 },
    ]);
    assert.equal(r.status, 'met');
    assert.deepEqual(r.caveats, []);
  });

  it('is not met when one matrix is singular, with the required caveat text', () => {
    const r = nonSingularityHypothesis([
      { label: 'W_1', minSingularValue: 0.3, tolerance: 1e-5 },
      { label: 'W_2', minSingularValue: 1e-7, tolerance: 1e-5 },
      { label: 'W_3', minSingularValue: 0 },
    ]);
    assert.equal(r.status, 'not-met');
    assert.deepEqual(r.singular, ['W_2', 'W_3']);
    assert.ok(r.caveats?.includes(HYPOTHESIS_NOT_MET));
    assert.equal(HYPOTHESIS_NOT_MET, 'hypothesis not met; the threshold may still hold');
  });

  it('reports unchecked when no information is given', () => {
    assert.equal(nonSingularityHypothesis([]).status, 'unchecked');
  });

  it('rejects negative or NaN inputs', () => {
    assert.throws(() => nonSingularityHypothesis([{ label: 'W_1', minSingularValue: -1 }]), TheoryInputError);
    assert.throws(() => nonSingularityHypothesis([{ label: 'W_1', minSingularValue: Number.NaN }]), TheoryInputError);
  });
});
