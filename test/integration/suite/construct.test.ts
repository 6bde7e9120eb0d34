/**
 * "LoRA Lens: Build Construction Adapter (FNN)…" in real VS Code, on the bundled FNN pair (the workspace
 * is a temp copy of examples/): the argument form runs engine/construct and writes a PEFT adapter folder;
 * an existing adapter is not replaced when the argument says so.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConstructionSummary } from '../../../src/protocol';

function example(...parts: string[]): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder');
  return path.join(folder.uri.fsPath, ...parts);
}

describe('loraLens.constructAdapter: the construction on your FNN pair', () => {
  let outFolder: string;
  before(async () => {
    await vscode.extensions.getExtension('lora-lens.lora-lens')?.activate();
    outFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'lora-lens-construct-'));
  });
  after(() => fs.rmSync(outFolder, { recursive: true, force: true }));

  const request = () => ({
    frozen: example('mlp-pair-close', 'frozen.safetensors'),
    target: example('mlp-pair-close', 'target.safetensors'),
    rank: 4,
    partition: [[1, 2], [3, 4, 5, 6]],
    outFolder,
  });

  it('rank 4 on [1 2] [3…6]: exact, the adapter folder is written and reproduces the target as stored', async () => {
    const summary = await vscode.commands.executeCommand<ConstructionSummary | undefined>('loraLens.constructAdapter', request());
    assert.ok(summary, 'the command returns the summary');
    assert.equal(summary.exactClaimed, true);
    assert.deepEqual(summary.blocks.map((b) => b.discrepancyRank), [3, 16]);
    assert.ok(summary.check.storedMseOnFreshInputs < 1e-10, `${summary.check.storedMseOnFreshInputs}`);
    const config = JSON.parse(fs.readFileSync(path.join(outFolder, 'adapter_config.json'), 'utf8'));
    assert.deepEqual(config.target_modules, ['0', '2', '4', '6', '8', '10']);
    assert.equal(config.r, 4);
    assert.ok(fs.statSync(path.join(outFolder, 'adapter_model.safetensors')).size > 0);
  });

  it('does not replace an existing adapter when told not to (overwrite: false), and leaves the file as it was', async () => {
    const config = path.join(outFolder, 'adapter_config.json');
    fs.writeFileSync(config, 'keep me');
    const summary = await vscode.commands.executeCommand<ConstructionSummary | undefined>('loraLens.constructAdapter', { ...request(), overwrite: false });
    assert.equal(summary, undefined);
    assert.equal(fs.readFileSync(config, 'utf8'), 'keep me');
  });
});
