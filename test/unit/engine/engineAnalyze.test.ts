/** engine/analyze in the real engine process: result, progress notifications, cancellation, and the next request. */
import * as assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';
import { notificationType, requestType } from '../../../src/engine/rpc';
import type { EngineProgress } from '../../../src/protocol';
import { addRankOne, cloneTensors, EXAMPLES, llamaTensors, SeededRandom, tempDir, writeLlama } from './analysis/helpers';

const ENGINE = path.resolve(__dirname, '..', '..', '..', 'src', 'engine', 'main.js');

describe('engine/analyze', () => {
  let child: ChildProcess;
  let connection: MessageConnection;
  const progress: EngineProgress[] = [];
  const listeners: ((p: EngineProgress) => void)[] = [];
  let dir: string;

  before(async () => {
    child = fork(ENGINE, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.onNotification(notificationType('engine/progress'), (p) => {
      progress.push(p);
      for (const l of listeners) l(p);
    });
    connection.listen();
    dir = await tempDir('engine');
  });
  after(async () => {
    connection.dispose();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('analyses an example, sends progress with the request token, then names its backend', async () => {
    const report = await connection.sendRequest(requestType('engine/analyze'), {
      token: 'tiny', base: path.join(EXAMPLES, 'tiny-llama-base'), target: path.join(EXAMPLES, 'tiny-llama-finetuned'), backend: 'cpu',
    });
    assert.equal(report.kind, 'transformer');
    assert.equal(report.backend?.name, 'cpu');
    assert.equal(report.transformer!.modules.find((m) => m.name === 'model.layers.0.self_attn.o_proj')!.deltaRank, 3);
    const mine = progress.filter((p) => p.token === 'tiny');
    assert.ok(mine.length >= 2);
    assert.ok(mine.every((p) => p.fraction >= 0 && p.fraction <= 1));
    assert.equal(mine[mine.length - 1]!.fraction, 1);
    const status = await connection.sendRequest(requestType('engine/status'), {});
    assert.equal(status.backend?.name, 'cpu');
    assert.equal(status.pid, child.pid);
  });

  it('input errors come back as one-line errors and the engine keeps working', async () => {
    await assert.rejects(
      connection.sendRequest(requestType('engine/analyze'), { token: 'bad', base: path.join(EXAMPLES, 'tiny-llama-base'), target: path.join(EXAMPLES, 'mlp-pair', 'frozen.safetensors') }),
      (e: unknown) => e instanceof ResponseError && /not the same architecture/.test(e.message),
    );
  });

  it('cancelled mid-run: stops within a second, and the next request works', async () => {
    // A pair whose every module changed: dozens of spectra of matrices larger than the float64 crossover.
    const dims = { hidden: 128, heads: 4, kvHeads: 2, intermediate: 256, vocab: 64, layers: 6 };
    const base = llamaTensors(dims, 'cancel-base');
    const target = cloneTensors(base);
    const rng = new SeededRandom('cancel');
    for (const t of target.values()) if (t.shape.length === 2) addRankOne(rng, t.data, t.shape[1]!, [0, t.shape[0]!], [0, t.shape[1]!], 0.1);
    await writeLlama(path.join(dir, 'base'), dims, base);
    await writeLlama(path.join(dir, 'target'), dims, target);

    const source = new CancellationTokenSource();
    let cancelledAt = 0;
    listeners.push((p) => {
      if (p.token === 'long' && cancelledAt === 0 && p.fraction > 0) {
        cancelledAt = performance.now();
        source.cancel();
      }
    });
    const request = connection.sendRequest(requestType('engine/analyze'), { token: 'long', base: path.join(dir, 'base'), target: path.join(dir, 'target'), backend: 'wasm' }, source.token);
    await assert.rejects(request, (e: unknown) => e instanceof ResponseError && e.code === -32800);
    const latency = performance.now() - cancelledAt;
    assert.ok(cancelledAt > 0, 'cancelled after a progress report');
    assert.ok(latency < 1000, `stopped ${latency.toFixed(0)} ms after cancellation`);
    const last = progress.filter((p) => p.token === 'long').pop()!;
    assert.ok(last.fraction < 1, 'did not run to the end');

    const report = await connection.sendRequest(requestType('engine/analyze'), { token: 'after', base: path.join(EXAMPLES, 'tiny-llama-adapter'), backend: 'wasm' });
    assert.equal(report.adapter!.pairs.length, 4);
    assert.equal(report.backend?.name, 'wasm');
  });
});
