/** Adam-fitted LoRA and final-layer tuning on the cpu backend: tiny, seeded, a few hundred steps. */
import * as assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadBackend, type TensorBackend } from '../../../../src/engine/backend';
import { forwardFnn, meanSquaredError } from '../../../../src/engine/training/fnn';
import { fitByGradient, type FitOptions } from '../../../../src/engine/training/gradientFit';
import { pair } from './helpers';

let backend: TensorBackend;
before(async () => {
  backend = await loadBackend('cpu');
});

// D=4, L=2, L̄=1: threshold ⌈4/2⌉ = 2.
const { frozen, target, inputs } = pair(4, 2, 1, 7);
const targetOut = forwardFnn(target, inputs);
const base: Omit<FitOptions, 'rank'> = { method: 'lora', biases: 'tunable', steps: 250, batchSize: 64, learningRate: 1e-2, seed: 5 };

function mse(net: typeof frozen): number {
  return meanSquaredError(forwardFnn(net, inputs), targetOut);
}

describe('fitByGradient (LoRA)', () => {
  it('at the threshold R=2 ends well below its own error at R=1', async () => {
    const one = await fitByGradient(backend.tf, frozen, target, { ...base, rank: 1 });
    const two = await fitByGradient(backend.tf, frozen, target, { ...base, rank: 2 });
    const start = mse(frozen);
    assert.ok(mse(one.adapted) < start, `R=1 should improve on the frozen model (${mse(one.adapted)} vs ${start})`);
    assert.ok(mse(two.adapted) < 0.5 * mse(one.adapted), `R=2: ${mse(two.adapted)}, R=1: ${mse(one.adapted)}`);
    assert.equal(backend.tf.memory().numTensors, 0, 'every tensor is disposed');
    // The factors reproduce the fitted weights: W + A·Bᵀ.
    const { a, b } = two.adapters?.[0] ?? assert.fail('adapters');
    assert.equal(a.cols, 2);
    assert.equal(b.rows, 4);
  });

  it('with frozen biases keeps the frozen biases exactly', async () => {
    const fit = await fitByGradient(backend.tf, frozen, target, { ...base, rank: 1, steps: 5, biases: 'frozen' });
    fit.adapted.layers.forEach((layer, l) => assert.deepEqual(layer.bias, frozen.layers[l].bias));
  });

  it('A starts at zero: zero steps leave the frozen weights unchanged', async () => {
    const fit = await fitByGradient(backend.tf, frozen, target, { ...base, rank: 2, steps: 0 });
    fit.adapted.layers.forEach((layer, l) => assert.deepEqual(layer.weight.data, frozen.layers[l].weight.data));
  });

  it('is cancelled by its AbortSignal and frees its tensors', async () => {
    const controller = new AbortController();
    const run = fitByGradient(backend.tf, frozen, target, {
      ...base,
      rank: 1,
      steps: 100_000,
      reportEvery: 5,
      signal: controller.signal,
      onProgress: (done) => {
        if (done >= 5) controller.abort();
      },
    });
    await assert.rejects(run, (e: unknown) => e instanceof Error && e.name === 'AbortError');
    assert.equal(backend.tf.memory().numTensors, 0);
  });
});

describe('fitByGradient (final-layer tuning)', () => {
  it('tunes only the last k layers', async () => {
    const fit = await fitByGradient(backend.tf, frozen, target, { method: 'final-layers', tunedLayers: 1, biases: 'tunable', steps: 20, batchSize: 32, learningRate: 1e-2, seed: 1 });
    assert.deepEqual(fit.adapted.layers[0].weight.data, frozen.layers[0].weight.data);
    assert.deepEqual(fit.adapted.layers[0].bias, frozen.layers[0].bias);
    assert.notDeepEqual(fit.adapted.layers[1].weight.data, frozen.layers[1].weight.data);
    assert.equal(fit.adapters, undefined);
  });
});
