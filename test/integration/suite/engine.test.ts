import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LoraLensApi } from '../../../src/extension/main';
import type { EngineStatus } from '../../../src/protocol';

describe('analysis engine from the extension', () => {
  let api: LoraLensApi;
  before(async () => {
    const ext = vscode.extensions.getExtension<LoraLensApi>('lora-lens.lora-lens');
    assert.ok(ext);
    api = await ext.activate();
  });

  it('Show Engine Status starts a separate process and reports it', async () => {
    const status = await vscode.commands.executeCommand<EngineStatus | undefined>('loraLens.showEngineStatus');
    assert.ok(status, 'no status');
    assert.notEqual(status.pid, process.pid);
    assert.equal(status.pid, api.engine.pid);
    assert.ok(status.memory.rssBytes > 0);
  });

  it('survives the engine being killed: the next request starts a fresh one', async () => {
    const before = api.engine.pid;
    assert.ok(before);
    process.kill(before, 'SIGKILL');
    // The next request must succeed with a new process, whether or not the exit was seen yet.
    let status: EngineStatus | undefined;
    for (let attempt = 0; attempt < 3 && (!status || status.pid === before); attempt++) {
      status = await vscode.commands.executeCommand<EngineStatus | undefined>('loraLens.showEngineStatus');
    }
    assert.ok(status);
    assert.notEqual(status.pid, before);
  });
});
