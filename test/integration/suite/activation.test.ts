import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'lora-lens.lora-lens';

describe('activation', () => {
  it('is installed, activates on demand and registers its commands', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('loraLens.thresholdCalculator'));
  });

  it('reports the VS Code it runs in', () => {
    console.log(`      VS Code ${vscode.version} (${vscode.env.appName}, ${vscode.env.appHost}, remote: ${vscode.env.remoteName ?? 'none'})`);
    assert.match(vscode.version, /^1\.\d+/);
  });
});
