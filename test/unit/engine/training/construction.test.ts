/** The explicit construction (theory §2): exact at the threshold, σ_{R|P_i|+1}(E_i) below it. */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildConstruction } from '../../../../src/engine/training/construction';
import { fromRows, identity, SingularMatrixError, zeros } from '../../../../src/engine/linalg';
import { forwardFnn, gaussianInputs, meanSquaredError, type Fnn } from '../../../../src/engine/training/fnn';
import { SeededRandom } from '../../../../src/engine/training/random';
import { pair, referenceProduct, referenceSigma, toMatrix } from './helpers';

function testMse(adapted: Fnn, target: Fnn, inputs: ReturnType<typeof gaussianInputs>): number {
  return meanSquaredError(forwardFnn(adapted, inputs), forwardFnn(target, inputs));
}

describe('buildConstruction: D=8, L=4, L̄=2 (threshold ⌈8/2⌉ = 4)', () => {
  const { frozen, target, inputs } = pair(8, 4, 2, 11);
  const unadapted = testMse(frozen, target, inputs);

  it('reaches test MSE < 1e-8 at every R ≥ 4 with tunable biases, and claims exactness', () => {
    assert.ok(unadapted > 1e-3, `the frozen model should start far from the target (${unadapted})`);
    for (let R = 4; R <= 8; R++) {
      const c = buildConstruction(frozen, target, R, { inputs, biases: 'tunable' });
      const mse = testMse(c.adapted, target, inputs);
      assert.ok(mse < 1e-8, `R=${R}: MSE ${mse}`);
      assert.equal(c.exactClaimed, true, `R=${R}`);
      for (const a of c.adapters) assert.ok(a.a.cols <= R && a.b.cols === a.a.cols);
    }
  });

  it('leaves each block exactly σ_{2R+1}(E_i) (spectral) below the threshold, against ml-matrix', () => {
    for (let R = 1; R <= 3; R++) {
      const c = buildConstruction(frozen, target, R, { inputs, biases: 'tunable' });
      assert.equal(c.exactClaimed, false);
      c.blocks.forEach((block, b) => {
        const [first, last] = [block.layers[0], block.layers[block.layers.length - 1]];
        const e = toMatrix(target.layers[b].weight).sub(referenceProduct(frozen, first, last));
        const sigma = referenceSigma(e);
        const expected = sigma[2 * R]; // σ_{RM+1}, 1-based
        const adaptedProduct = referenceProduct(c.adapted, first, last);
        const measured = referenceSigma(adaptedProduct.sub(toMatrix(target.layers[b].weight)))[0];
        assert.ok(Math.abs(measured - expected) < 1e-10 * sigma[0], `R=${R} block ${b + 1}: ‖∏W̃ − W̄‖₂ = ${measured}, σ = ${expected}`);
        assert.ok(Math.abs(block.predictedSpectralError - expected) < 1e-12 * sigma[0]);
        assert.ok(Math.abs(block.measuredSpectralError - expected) < 1e-10 * sigma[0]);
        const frob = Math.sqrt(sigma.slice(2 * R).reduce((s, v) => s + v * v, 0));
        assert.ok(Math.abs(block.predictedFrobeniusError - frob) < 1e-12 * sigma[0]);
      });
      const mse = testMse(c.adapted, target, inputs);
      assert.ok(mse > 1e-8, `R=${R}: MSE ${mse} should not be ~0 below the threshold`);
    }
  });

  it('with frozen biases does not claim exactness, and the MSE is not ~0', () => {
    const c = buildConstruction(frozen, target, 4, { inputs, biases: 'frozen' });
    assert.equal(c.exactClaimed, false);
    assert.ok(c.notes.some((n) => n.includes('frozen biases')));
    const mse = testMse(c.adapted, target, inputs);
    assert.ok(mse > 1e-3, `frozen-bias MSE ${mse}`);
    c.adapted.layers.forEach((layer, l) => assert.deepEqual(layer.bias, frozen.layers[l].bias));
  });
});

describe('buildConstruction: general partitions', () => {
  const { frozen, target, inputs } = pair(8, 5, 2, 5);

  it('[[1,2,3],[4,5]]: threshold max(⌈8/3⌉, ⌈8/2⌉) = 4; R=3 leaves block 2 with σ_7', () => {
    const partition = [[1, 2, 3], [4, 5]];
    const exact = buildConstruction(frozen, target, 4, { inputs, biases: 'tunable', partition });
    assert.equal(exact.exactClaimed, true);
    assert.ok(testMse(exact.adapted, target, inputs) < 1e-8);
    const below = buildConstruction(frozen, target, 3, { inputs, biases: 'tunable', partition });
    assert.equal(below.blocks[0].predictedSpectralError, 0); // 3·3 = 9 ≥ 8 directions
    assert.ok(below.blocks[0].measuredSpectralError < 1e-10);
    const e2 = toMatrix(target.layers[1].weight).sub(referenceProduct(frozen, 4, 5));
    const sigma = referenceSigma(e2);
    assert.ok(Math.abs(below.blocks[1].measuredSpectralError - sigma[6]) < 1e-10 * sigma[0]);
    assert.equal(below.exactClaimed, false);
    // Block 1 has 3 layers at R=3: ranks 3, 3, 2 (clipped at D = 8).
    assert.deepEqual(below.adapters.slice(0, 3).map((a) => a.a.cols), [3, 3, 2]);
  });

  it('rejects a partition that does not cover the layers', () => {
    assert.throws(() => buildConstruction(frozen, target, 4, { inputs, biases: 'tunable', partition: [[1, 2], [4, 5]] }), /layer 4 where layer 3/);
  });
});

describe('worked example: D=4, W_1 = W_2 = I, target I + diag(4,3,2,1) (linear discrepancy only)', () => {
  const d = (v: number[]) => fromRows(v.map((x, i) => v.map((_, j) => (i === j ? x : 0))));
  const frozen: Fnn = { width: 4, layers: [0, 1].map(() => ({ weight: identity(4), bias: new Float64Array(4) })) };
  const target: Fnn = { width: 4, layers: [{ weight: d([5, 4, 3, 2]), bias: new Float64Array(4) }] };
  const inputs = gaussianInputs(200, 4, new SeededRandom(1));

  it('R=1: spectral error σ_3 = 2, Frobenius √5; R=2: exact', () => {
    const one = buildConstruction(frozen, target, 1, { inputs, biases: 'tunable' });
    assert.ok(Math.abs(one.blocks[0].predictedSpectralError - 2) < 1e-12);
    assert.ok(Math.abs(one.blocks[0].measuredSpectralError - 2) < 1e-12);
    assert.ok(Math.abs(one.blocks[0].predictedFrobeniusError - Math.sqrt(5)) < 1e-12);
    const two = buildConstruction(frozen, target, 2, { inputs, biases: 'tunable' });
    assert.equal(two.exactClaimed, true);
    assert.ok(testMse(two.adapted, target, inputs) < 1e-20);
  });
});

describe('non-singularity hypothesis', () => {
  it('a singular frozen layer that must be inverted raises SingularMatrixError', () => {
    const singular = zeros(4, 4); // W_2 = 0: A_1 = W_2^{-1} E V_1 does not exist
    const frozen: Fnn = { width: 4, layers: [{ weight: identity(4), bias: new Float64Array(4) }, { weight: singular, bias: new Float64Array(4) }] };
    const target: Fnn = { width: 4, layers: [{ weight: identity(4), bias: new Float64Array(4) }] };
    const inputs = gaussianInputs(10, 4, new SeededRandom(2));
    assert.throws(() => buildConstruction(frozen, target, 1, { inputs, biases: 'tunable' }), (e: unknown) => e instanceof SingularMatrixError && /not met/.test(e.message));
  });
});
