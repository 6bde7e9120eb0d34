/** runValidation: curve shape, threshold, bias ablation; the rank/parameter matching of final layers. */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, rankWithNearestParameters, runValidation, syntheticSweepRequests, validationRequest } from '../../../../src/engine/training';

describe('runValidation (construction only, float64)', () => {
  it('D=8, L=4, L̄=2: threshold 4, exact from R=4 with tunable biases', async () => {
    const fractions: number[] = [];
    const result = await runValidation(
      validationRequest({ width: 8, frozenDepth: 4, targetDepth: 2, ranks: [1, 4, 6], seeds: 2, methods: ['construction'], biasModes: ['tunable', 'frozen'], testSamples: 300 }),
      { onProgress: (f) => fractions.push(f) },
    );
    assert.equal(result.threshold, 4);
    assert.deepEqual(result.partition, [[1, 2], [3, 4]]);
    // The ablation compares gradient descent only: the construction needs tunable biases.
    assert.deepEqual(result.curves.map((p) => `${p.bias} ${p.rank}`), ['tunable 1', 'tunable 4', 'tunable 6']);
    assert.ok(result.notes.some((n) => /construction needs tunable biases/.test(n)));
    for (const p of result.curves) {
      assert.equal(p.method, 'construction');
      assert.equal(p.perSeed.length, 2);
      assert.equal(p.medianTestMse, median(p.perSeed));
      const exact = p.rank >= 4;
      assert.equal(p.exactClaimed, exact, `R=${p.rank}`);
      if (exact) assert.ok(p.medianTestMse < 1e-8);
      else assert.ok(p.medianTestMse > 1e-8, `R=${p.rank}: ${p.medianTestMse}`);
    }
    assert.equal(result.backend, null);
    assert.equal(fractions[fractions.length - 1], 1);
    assert.ok(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]));
  });

  it('asked for alone, the construction with frozen biases runs and never claims exactness', async () => {
    const result = await runValidation(
      validationRequest({ width: 8, frozenDepth: 4, targetDepth: 2, ranks: [4, 8], seeds: 1, methods: ['construction'], biasModes: ['frozen'], testSamples: 300 }),
    );
    assert.deepEqual(result.curves.map((p) => `${p.bias} ${p.rank}`), ['frozen 4', 'frozen 8']);
    for (const p of result.curves) {
      assert.equal(p.exactClaimed, false);
      assert.ok(p.medianTestMse > 1e-8, `R=${p.rank}: ${p.medianTestMse}`);
    }
  });

  it('refuses gradient fitting without a backend and bad requests', async () => {
    await assert.rejects(runValidation(validationRequest({ width: 4, frozenDepth: 2, targetDepth: 1, methods: ['gradient'] })), /backend/);
    await assert.rejects(runValidation(validationRequest({ width: 4, frozenDepth: 2, targetDepth: 1, ranks: [5] })), /rank/);
    await assert.rejects(runValidation(validationRequest({ width: 4, frozenDepth: 1, targetDepth: 1, methods: ['final-layers'] })), /final-layer/);
  });

  it('is cancelled by an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      runValidation(validationRequest({ width: 4, frozenDepth: 2, targetDepth: 1, methods: ['construction'] }), { signal: controller.signal }),
      (e: unknown) => e instanceof Error && e.name === 'AbortError',
    );
  });
});

describe('final-layer tuning against LoRA at equal parameter counts (theory §5)', () => {
  it('D=16, L=8: tuning k layers (272k parameters) matches LoRA rank k (256R + 128 with biases)', () => {
    for (let k = 1; k <= 7; k++) assert.equal(rankWithNearestParameters(16, 8, k * 272, true), k);
  });

  it('the synthetic sweep: (1,2) and (2,4) with the bias ablation, and L̄=1, L=8 with final layers', () => {
    const [a, b, c] = syntheticSweepRequests();
    assert.deepEqual([a.targetDepth, a.frozenDepth, b.targetDepth, b.frozenDepth, c.targetDepth, c.frozenDepth], [1, 2, 2, 4, 1, 8]);
    assert.deepEqual(a.ranks, Array.from({ length: 16 }, (_, i) => i + 1));
    assert.deepEqual(a.biasModes, ['tunable', 'frozen']);
    assert.equal(a.seeds, 5);
    assert.deepEqual(c.methods, ['gradient', 'final-layers']);
    assert.deepEqual(c.ranks, [1, 2, 3, 4, 5, 6, 7]);
  });

  it('median ignores NaN', () => {
    assert.equal(median([3, NaN, 1, 2]), 2);
    assert.equal(median([4, 1]), 2.5);
    assert.ok(Number.isNaN(median([NaN])));
  });
});
