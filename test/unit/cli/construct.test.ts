/**
 * `lora-lens construct` on the bundled FNN pair examples/mlp-pair-close (frozen depth 6, target depth 2;
 * target layer 1 = W₂W₁ + a rank-3 change, so the partition [1 2] [3…6] needs rank 4, the uniform one 6).
 * The written PEFT folder is read back with the adapter reader and the adapted network is run on fresh
 * inputs against the target.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { parsePartition } from '../../../src/cli/commands/construct';
import { runCli } from '../../../src/cli/main';
import { add, type Mat, matmul64 as matmul } from '../../../src/engine/linalg';
import { type Fnn, forwardFnn, gaussianInputs, meanSquaredError } from '../../../src/engine/training/fnn';
import { SeededRandom } from '../../../src/engine/training/random';
import { loadAdapter } from '../../../src/formats/adapter';
import { loadModel } from '../../../src/formats/loadModel';
import { readCheckpointHeader, readTensor } from '../../../src/formats/safetensors';

const example = path.resolve(__dirname, '..', '..', '..', '..', 'examples', 'mlp-pair-close');
const frozenFile = path.join(example, 'frozen.safetensors');
const targetFile = path.join(example, 'target.safetensors');

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'lora-lens-construct-'));
  dirs.push(d);
  return d;
}

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t), errIsTty: false });
  return { code, out, err };
}

/** The sequential FNN of a checkpoint in float64, with its module names. */
async function readNet(file: string): Promise<{ net: Fnn; names: string[] }> {
  const model = await loadModel(file);
  const names = model.sequentialLayers ?? [];
  const net: Fnn = { width: 16, layers: [] };
  for (const name of names) {
    const m = model.modules.find((x) => x.name === name) ?? assert.fail(name);
    const weight: Mat = { rows: 16, cols: 16, data: Float64Array.from(await readTensor(m.weight ?? assert.fail('weight'), { float64: true })) };
    net.layers.push({ weight, bias: Float64Array.from(await readTensor(m.bias ?? assert.fail('bias'), { float64: true })) });
  }
  return { net, names };
}

/** The frozen network with the adapter folder applied as PEFT would: W + scale·lora_B·lora_A, biases replaced (bias "all"). */
async function applyAdapter(folder: string, frozen: Fnn, names: string[]): Promise<Fnn> {
  const adapter = await loadAdapter(folder);
  const header = await readCheckpointHeader(adapter.weightsFile as string);
  const layers = [];
  for (const [l, layer] of frozen.layers.entries()) {
    const pair = adapter.pairs.find((p) => p.baseModule === names[l]) ?? assert.fail(`no LoRA pair for ${names[l]}`);
    const r = pair.a.shape[0] as number;
    const loraA: Mat = { rows: r, cols: 16, data: Float64Array.from(await readTensor(pair.a, { float64: true })) };
    const loraB: Mat = { rows: 16, cols: r, data: Float64Array.from(await readTensor(pair.b, { float64: true })).map((v) => v * pair.scale) };
    const biasRef = header.tensors.find((t) => t.name === `base_model.model.${names[l]}.bias`) ?? assert.fail(`no bias for ${names[l]}`);
    layers.push({ weight: add(layer.weight, matmul(loraB, loraA)), bias: Float64Array.from(await readTensor(biasRef, { float64: true })) });
  }
  return { width: 16, layers };
}

describe('lora-lens construct', () => {
  it('rank 4 on the partition [1 2] [3…6]: exact, and the written PEFT adapter turns the frozen model into the target', async () => {
    const folder = await tempDir();
    const r = await cli('construct', frozenFile, targetFile, '--rank', '4', '--partition', '1-2,3-6', '--out', folder, '--json');
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out);
    assert.equal(summary.exactClaimed, true);
    assert.deepEqual(summary.blocks.map((b: { discrepancyRank: number }) => b.discrepancyRank), [3, 16], 'F32 storage noise is not counted as rank');
    assert.ok(summary.check.frozenMse > 0.1);
    assert.ok(summary.check.adaptedMseOnFreshInputs < 1e-10, `fresh-input MSE ${summary.check.adaptedMseOnFreshInputs}`);

    const frozen = await readNet(frozenFile);
    const target = await readNet(targetFile);
    const adapted = await applyAdapter(folder, frozen.net, frozen.names);
    const x = gaussianInputs(2000, 16, new SeededRandom(99));
    const baseline = meanSquaredError(forwardFnn(frozen.net, x), forwardFnn(target.net, x));
    const mse = meanSquaredError(forwardFnn(adapted, x), forwardFnn(target.net, x));
    // Stored in float64 (the default): the file reproduces the target to rounding, against ~0.5 unadapted.
    assert.ok(mse < 1e-10 * baseline, `adapted MSE ${mse} vs frozen ${baseline}`);
    assert.ok(summary.check.storedMseOnFreshInputs < 1e-10);
    const config = JSON.parse(await fs.readFile(path.join(folder, 'adapter_config.json'), 'utf8'));
    assert.deepEqual(config.target_modules, frozen.names);
    assert.equal(config.bias, 'all');
  });

  it('--dtype F32: the check measures the file as written, and says when float32 cannot hold the construction', async () => {
    const folder = await tempDir();
    const r = await cli('construct', frozenFile, targetFile, '--rank', '4', '--partition', '1-2,3-6', '--out', folder, '--dtype', 'F32', '--json');
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out);
    // This pair's inner biases reach ~1e9 (the construction makes every pre-activation non-negative).
    assert.ok(summary.check.largestBias > 1e6);
    const frozen = await readNet(frozenFile);
    const target = await readNet(targetFile);
    const adapted = await applyAdapter(folder, frozen.net, frozen.names);
    const fresh = gaussianInputs(5000, 16, new SeededRandom(1)); // the command's fresh inputs (--seed 0, + 1)
    const fromFile = meanSquaredError(forwardFnn(adapted, fresh), forwardFnn(target.net, fresh));
    assert.ok(Math.abs(fromFile - summary.check.storedMseOnFreshInputs) <= 1e-6 * fromFile, `${fromFile} vs ${summary.check.storedMseOnFreshInputs}`);
    assert.ok(fromFile > summary.check.frozenMse, 'float32 breaks this construction');
    const text = await cli('construct', frozenFile, targetFile, '--rank', '4', '--partition', '1-2,3-6', '--out', folder, '--dtype', 'F32', '--force');
    assert.match(text.out, /note: float32 does not hold this construction .*: store it in F64/);
  });

  it('rank 3, below the threshold: not exact, the error per block is σ_{R|P_i|+1}(E_i), the text says so', async () => {
    const folder = await tempDir();
    const json = JSON.parse((await cli('construct', frozenFile, targetFile, '--rank', '3', '--partition', '1-2,3-6', '--out', folder, '--json')).out);
    assert.equal(json.exactClaimed, false);
    for (const b of json.blocks) assert.ok(Math.abs(b.measuredSpectralError - b.predictedSpectralError) <= 1e-9 + 1e-9 * b.predictedSpectralError);
    assert.ok(json.check.adaptedMseOnFreshInputs < json.check.frozenMse);
    const text = await cli('construct', frozenFile, targetFile, '--rank', '3', '--out', folder, '--force');
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /not exact: below the threshold/);
    assert.match(text.out, /partition \[1 2 3\] \[4 5 6\]/, 'uniform partition by default');
  });

  it('never replaces existing adapter files without --force, nor an input; bad pairs exit 2 with one line', async () => {
    const folder = await tempDir();
    const mine = path.join(folder, 'adapter_config.json');
    await fs.writeFile(mine, 'my notes');
    const r = await cli('construct', frozenFile, targetFile, '--rank', '4', '--out', folder);
    assert.equal(r.code, 2);
    assert.match(r.err, /adapter_config.json exists; replace it explicitly \(--force\)/);
    assert.equal(await fs.readFile(mine, 'utf8'), 'my notes');
    for (const [args, pattern] of [
      [[targetFile, frozenFile, '--rank', '2', '--out', folder], /at least as deep/],
      [[frozenFile, targetFile, '--rank', '17', '--out', folder], /at most the width 16/],
      [[frozenFile, targetFile, '--rank', '2'], /--out/],
      [[frozenFile, targetFile, '--rank', '2', '--out', folder, '--partition', '1-3,2-6'], /blocks must be consecutive/],
      [[frozenFile, path.join(folder, 'missing.safetensors'), '--rank', '2', '--out', folder], /missing\.safetensors/],
    ] as [string[], RegExp][]) {
      const bad = await cli('construct', ...args);
      assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.err}`);
      assert.match(bad.err, pattern);
      assert.equal(bad.err.trim().split('\n').length, 1);
    }
  });

  it('parsePartition: ranges and single layers', () => {
    assert.deepEqual(parsePartition('1-2,3-6'), [[1, 2], [3, 4, 5, 6]]);
    assert.deepEqual(parsePartition('1, 2-3'), [[1], [2, 3]]);
    assert.throws(() => parsePartition('1-2;3'), /ranges/);
  });
});
