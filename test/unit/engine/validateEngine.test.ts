/**
 * engine/validate in the real engine process: the result, progress with the request token, errors,
 * cancellation; and engine/construct on the bundled FNN pair.
 */
import * as assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';
import { loadBackend } from '../../../src/engine/backend';
import { runValidation, validationRequest } from '../../../src/engine/training';
import { notificationType, requestType } from '../../../src/engine/rpc';
import type { EngineProgress } from '../../../src/protocol';

const ENGINE = path.resolve(__dirname, '..', '..', '..', 'src', 'engine', 'main.js');

describe('engine/validate', () => {
  let child: ChildProcess;
  let connection: MessageConnection;
  const progress: EngineProgress[] = [];
  const listeners: ((p: EngineProgress) => void)[] = [];

  before(() => {
    child = fork(ENGINE, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.onNotification(notificationType('engine/progress'), (p) => {
      progress.push(p);
      for (const l of listeners) l(p);
    });
    connection.listen();
  });
  after(async () => {
    connection.dispose();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
  });

  const small = validationRequest({
    width: 4, frozenDepth: 2, targetDepth: 1, ranks: [1, 2, 3, 4], seeds: 1, steps: 30, batchSize: 64,
    learningRates: [1e-2], testSamples: 200, validationSamples: 100, methods: ['construction', 'gradient'],
  });

  it('runs construction and Adam on the requested backend, with progress tagged by the token', async () => {
    const result = await connection.sendRequest(requestType('engine/validate'), { ...small, token: 'v1', backend: 'cpu' });
    assert.equal(result.threshold, 2);
    assert.equal(result.backend?.name, 'cpu');
    assert.equal(result.curves.length, 8);
    for (const p of result.curves.filter((c) => c.method === 'construction' && c.rank >= 2)) assert.ok(p.medianTestMse < 1e-8, `rank ${p.rank}: ${p.medianTestMse}`);
    const mine = progress.filter((p) => p.token === 'v1');
    assert.ok(mine.length >= 2);
    assert.equal(mine[mine.length - 1]!.fraction, 1);
  });

  it('runs seeds on parallel workers and merges them into what one in-process run gives', async () => {
    const threeSeeds = { ...small, seeds: 3, baseSeed: 40 };
    const viaEngine = await connection.sendRequest(requestType('engine/validate'), { ...threeSeeds, token: 'seeds', backend: 'cpu' });
    const inProcess = await runValidation(threeSeeds, { backend: await loadBackend('cpu') });
    assert.deepEqual(viaEngine.request, inProcess.request);
    assert.equal(viaEngine.curves.length, inProcess.curves.length);
    viaEngine.curves.forEach((p, i) => {
      const q = inProcess.curves[i];
      assert.deepEqual([p.method, p.bias, p.rank, p.exactClaimed, p.learningRates], [q.method, q.bias, q.rank, q.exactClaimed, q.learningRates]);
      assert.equal(p.perSeed.length, 3);
      p.perSeed.forEach((v, s) => assert.ok(Math.abs(v - q.perSeed[s]) <= 1e-9 * Math.max(1e-12, Math.abs(q.perSeed[s])), `${p.method} R=${p.rank} seed ${s}: ${v} vs ${q.perSeed[s]}`));
      assert.ok(Math.abs(p.medianTestMse - q.medianTestMse) <= 1e-9 * Math.max(1e-12, q.medianTestMse));
    });
    assert.equal(viaEngine.baselineMedianTestMse, inProcess.baselineMedianTestMse);
    assert.equal(viaEngine.trainingSteps, inProcess.trainingSteps);
    const mine = progress.filter((p) => p.token === 'seeds');
    assert.ok(mine.every((p, i) => i === 0 || p.fraction >= mine[i - 1].fraction), 'progress never goes back');
    assert.ok(mine.some((p) => /^seed \d\/3: /.test(p.message ?? '')));
  });

  it('a bad request is an input error (code 1) naming the field', async () => {
    await assert.rejects(
      connection.sendRequest(requestType('engine/validate'), { ...small, targetDepth: 3, token: 'bad' }),
      (e: unknown) => e instanceof ResponseError && e.code === 1 && /target depth/.test(e.message),
    );
  });

  it('cancelling stops the run (RequestCancelled) and the engine answers the next request', async () => {
    const long = { ...small, steps: 1_000_000, ranks: [1], methods: ['gradient' as const], token: 'long', backend: 'cpu' as const };
    const source = new CancellationTokenSource();
    const started = new Promise<void>((resolve) => listeners.push((p) => p.token === 'long' && p.fraction > 0 && resolve()));
    const pending = connection.sendRequest(requestType('engine/validate'), long, source.token);
    await started;
    source.cancel();
    await assert.rejects(pending, (e: unknown) => e instanceof ResponseError && e.code === -32800);
    const next = await connection.sendRequest(requestType('engine/validate'), { ...small, methods: ['construction'], token: 'after' });
    assert.equal(next.backend, null, 'construction alone loads no backend');
    assert.equal(next.curves.length, 4);
  });

  it('engine/construct: the construction on examples/mlp-pair-close, written as a PEFT folder; bad input is code 1', async () => {
    const example = path.resolve(__dirname, '..', '..', '..', '..', 'examples', 'mlp-pair-close');
    const outFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'lora-lens-engine-construct-'));
    try {
      const request = { frozen: path.join(example, 'frozen.safetensors'), target: path.join(example, 'target.safetensors'), rank: 4, partition: [[1, 2], [3, 4, 5, 6]], outFolder };
      const summary = await connection.sendRequest(requestType('engine/construct'), { ...request, token: 'c1' });
      assert.equal(summary.exactClaimed, true);
      assert.ok(summary.check.storedMseOnFreshInputs < 1e-10);
      assert.ok((await fs.stat(path.join(outFolder, 'adapter_model.safetensors'))).size > 0);
      assert.ok(progress.some((p) => p.token === 'c1' && p.fraction === 1));
      // The folder now holds an adapter: a second run without overwrite refuses, naming the file.
      await assert.rejects(
        connection.sendRequest(requestType('engine/construct'), { ...request, token: 'c2' }),
        (e: unknown) => e instanceof ResponseError && e.code === 1 && /adapter_model\.safetensors exists/.test(e.message),
      );
    } finally {
      await fs.rm(outFolder, { recursive: true, force: true });
    }
  });
});
