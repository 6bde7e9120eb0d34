import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeGuarantee, formatPartition, uniformPartition } from '../../../src/theory';

describe('format helpers', () => {
  it('describeGuarantee', () => {
    assert.equal(describeGuarantee('exact'), 'exact (sufficient)');
    assert.equal(describeGuarantee('lower-bound'), 'lower bound (necessary)');
    assert.equal(describeGuarantee('heuristic'), 'heuristic');
  });

  it('formatPartition (W3 uniform partition)', () => {
    assert.equal(formatPartition(uniformPartition(5, 2)), '[1 2] [3 4 5]');
    assert.equal(formatPartition([[1]]), '[1]');
  });
});
