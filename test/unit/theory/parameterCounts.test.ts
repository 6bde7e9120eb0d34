import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  TheoryInputError,
  finalLayerTuningComparison,
  finalLayerTuningParameterCount,
  fnnLoraParameterCount,
  fullUpdateCheaper,
  fullUpdateParameterCount,
  loraParameterCount,
} from '../../../src/theory';

describe('parameter counts', () => {
  it('W12: D=16, L=2, R=8 → 512 LoRA parameters, 544 with tunable biases', () => {
    assert.equal(fnnLoraParameterCount(16, 8, 2), 512);
    assert.equal(fnnLoraParameterCount(16, 8, 2, true), 544);
  });

  it('W2: D=16, L=8, R=2 → 512; tuning the 7 final layers → 1904', () => {
    assert.equal(fnnLoraParameterCount(16, 2, 8), 512);
    assert.equal(finalLayerTuningParameterCount(16, 8), 1904);
  });

  it('per matrix R·(in+out), full update in·out, R = 0 costs nothing', () => {
    assert.equal(loraParameterCount(4096, 1024, 16), 16 * 5120);
    assert.equal(loraParameterCount(4096, 1024, 0), 0);
    assert.equal(fullUpdateParameterCount(4096, 1024), 4096 * 1024);
    assert.throws(() => loraParameterCount(0, 4, 1), TheoryInputError);
    assert.throws(() => loraParameterCount(4, 4, -1), TheoryInputError);
  });
});

describe('fullUpdateCheaper', () => {
  it('square matrices: agrees with r ≥ min(in,out)/2', () => {
    assert.equal(fullUpdateCheaper(64, 64, 31).fullUpdateCheaper, false);
    assert.equal(fullUpdateCheaper(64, 64, 32).comparison, 'equal');
    assert.equal(fullUpdateCheaper(64, 64, 33).fullUpdateCheaper, true);
    assert.equal(fullUpdateCheaper(64, 64, 33).breakEvenRank, 32);
  });

  it('non-square: in=100, out=10000, r=50 is still cheaper as LoRA (505,000 < 1,000,000)', () => {
    const r = fullUpdateCheaper(100, 10000, 50);
    assert.equal(r.loraParameters, 505000);
    assert.equal(r.fullParameters, 1000000);
    assert.equal(r.fullUpdateCheaper, false);
    assert.equal(r.comparison, 'lora-cheaper');
    assert.equal(r.breakEvenRank, 100);
    assert.match(r.ruleText, /square/);
  });

  it('flags ranks at or above min(in, out) as a full-rank update', () => {
    const r = fullUpdateCheaper(100, 10000, 100);
    assert.equal(r.fullRankUpdate, true);
    assert.deepEqual(r.caveats, ['LoRA at this rank is a full-rank update']);
    assert.equal(fullUpdateCheaper(100, 10000, 99).fullRankUpdate, false);
  });
});

describe('finalLayerTuningComparison (reconstructed)', () => {
  it('W2: D=16, L=8 → R=2, 512 LoRA parameters vs 1904 for final-layer tuning', () => {
    const r = finalLayerTuningComparison(16, 8);
    assert.equal(r.loraRank, 2);
    assert.equal(r.loraParameters, 512);
    assert.equal(r.finalLayerTuningParameters, 1904);
    assert.equal(r.reconstructed, true);
    assert.equal(r.finalLayerTuningRepresents, false);
  });

  it('W4 width and depth: D=16, L=3 → R=6', () => {
    assert.equal(finalLayerTuningComparison(16, 3).loraRank, 6);
  });
});
