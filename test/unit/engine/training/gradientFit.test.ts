/** Adam-fitted LoRA and final-layer tuning on the cpu backend: tiny, seeded, a few hundred steps. */
import * as assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadBackend, type TensorBackend } from '../../../../src/engine/backend';
import { forwardFnn, meanSquaredError } from '../../../../src/engine/training/fnn';
import { fitByGradient, fitGroupByGradient, type FitOptions, type FitRunSpec } from '../../../../src/engine/training/gradientFit';
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

describe('fitGroupByGradient (runs trained together as one batched model)', () => {
  const runs: FitRunSpec[] = [
    { method: 'lora', rank: 1, biases: 'tunable', learningRate: 1e-2 },
    { method: 'lora', rank: 3, biases: 'frozen', learningRate: 1e-3 },
    { method: 'final-layers', tunedLayers: 1, biases: 'tunable', learningRate: 1e-2 },
    { method: 'lora', rank: 2, biases: 'tunable', learningRate: 3e-2 },
  ];
  const common = { steps: 40, batchSize: 32, seed: 11 };

  it('gives every run what it gets alone (same batches, same start), whatever else is in the group', async () => {
    const together = await fitGroupByGradient(backend.tf, frozen, target, runs, common);
    for (const [i, run] of runs.entries()) {
      const [alone] = await fitGroupByGradient(backend.tf, frozen, target, [run], common);
      together[i].adapted.layers.forEach((layer, l) => {
        const ref = alone.adapted.layers[l];
        for (let j = 0; j < layer.weight.data.length; j++) {
          assert.ok(Math.abs(layer.weight.data[j] - ref.weight.data[j]) < 1e-5, `run ${i} layer ${l} weight ${j}: ${layer.weight.data[j]} vs ${ref.weight.data[j]}`);
        }
        for (let j = 0; j < layer.bias.length; j++) assert.ok(Math.abs(layer.bias[j] - ref.bias[j]) < 1e-5, `run ${i} layer ${l} bias ${j}`);
      });
      assert.ok(Math.abs(together[i].finalBatchLoss - alone.finalBatchLoss) <= 1e-5 * Math.max(1, alone.finalBatchLoss));
    }
    assert.equal(backend.tf.memory().numTensors, 0, 'every tensor is disposed');
  });

  it('changes only what each run may change: frozen biases, untuned layers and padded rank columns stay put', async () => {
    const fits = await fitGroupByGradient(backend.tf, frozen, target, runs, common);
    // Frozen-bias LoRA keeps every bias exactly, though the group tunes biases for other runs.
    fits[1].adapted.layers.forEach((layer, l) => assert.deepEqual(layer.bias, frozen.layers[l].bias));
    // Final-layer tuning of the last layer leaves the first exactly as it was.
    assert.deepEqual(fits[2].adapted.layers[0].weight.data, frozen.layers[0].weight.data);
    assert.deepEqual(fits[2].adapted.layers[0].bias, frozen.layers[0].bias);
    // Rank-1 factors have one column (the padding to the group's rank 3 is not returned).
    const { a, b } = fits[0].adapters?.[0] ?? assert.fail('adapters');
    assert.deepEqual([a.cols, b.cols], [1, 1]);
    // Every run did learn something.
    for (const fit of fits) assert.ok(fit.finalBatchLoss > 0 && Number.isFinite(fit.finalBatchLoss));
    assert.ok(fits.every((fit) => fit.adapted.layers.some((layer, l) => layer.weight.data.some((w, j) => w !== frozen.layers[l].weight.data[j]))));
  });

  it('refuses a run the network cannot take', async () => {
    await assert.rejects(fitGroupByGradient(backend.tf, frozen, target, [{ method: 'lora', rank: 5, biases: 'tunable', learningRate: 1e-2 }], common), /rank in 1…4/);
    await assert.rejects(fitGroupByGradient(backend.tf, frozen, target, [{ method: 'final-layers', tunedLayers: 3, biases: 'tunable', learningRate: 1e-2 }], common), /1 ≤ k ≤ 2/);
  });
});
