/** The engine as a real child process: typed status over IPC, and recovery after it is killed. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineClient } from '../../../src/extension/engine/engineClient';

const ENGINE = path.resolve(__dirname, '..', '..', '..', 'src', 'engine', 'main.js');

describe('EngineClient', () => {
  const crashes: string[] = [];
  let crashed: () => void = () => undefined;
  const client = new EngineClient({
    enginePath: ENGINE,
    onCrash: (reason) => {
      crashes.push(reason);
      crashed();
    },
  });
  after(() => client.dispose());

  it('starts the engine on the first request and reports its status', async () => {
    const status = await client.request('engine/status', {});
    assert.equal(status.pid, client.pid);
    assert.notEqual(status.pid, process.pid);
    assert.equal(status.node, process.version);
    assert.ok(status.memory.rssBytes > 0);
  });

  it('reports a killed engine once and starts a fresh one on the next request', async () => {
    const firstPid = client.pid;
    assert.ok(firstPid);
    const reported = new Promise<void>((resolve) => (crashed = resolve));
    process.kill(firstPid, 'SIGKILL');
    await reported;
    assert.equal(crashes.length, 1);
    assert.match(crashes[0], /analysis engine stopped \(SIGKILL\)/);
    const status = await client.request('engine/status', {});
    assert.notEqual(status.pid, firstPid);
  });

  it('does not report a crash when disposed on purpose', async () => {
    await client.request('engine/status', {});
    await client.dispose();
    assert.equal(crashes.length, 1);
    assert.equal(client.pid, undefined);
  });
});
