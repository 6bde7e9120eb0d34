/** The analysis panel in a real VS Code: opened by loraLens.showReport with a real report, one panel per model. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LoraLensApi } from '../../../src/extension/main';
import type { ShowReportCommandResult } from '../../../src/extension/panel';
import type { Report } from '../../../src/protocol';

const workspace = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.env.LORA_LENS_TEST_WORKSPACE ?? '';

describe('analysis panel', () => {
  let api: LoraLensApi;
  let report: Report;
  before(async () => {
    const ext = vscode.extensions.getExtension<LoraLensApi>('lora-lens.lora-lens');
    assert.ok(ext);
    api = await ext.activate();
    report = await api.engine.request('engine/analyze', {
      token: 'panel-test',
      base: path.join(workspace(), 'tiny-llama-base'),
      target: path.join(workspace(), 'tiny-llama-finetuned'),
    });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('loraLens.showReport opens a panel whose webview renders every module at the budget', async () => {
    // Its own key: other suites may already show this model in a panel (the commands open it).
    const result = await vscode.commands.executeCommand<ShowReportCommandResult>('loraLens.showReport', { report, key: `panel-test-${Date.now()}`, budget: 2, waitForRender: true });
    assert.ok(result, 'no result');
    assert.equal(result.created, true);
    assert.ok(result.rendered);
    assert.equal(result.rendered.kind, 'transformer');
    assert.equal(result.rendered.rows, report.transformer!.modules.length);
    assert.equal(result.rendered.budget, 2);
    assert.equal(result.rendered.figures, 3, 'spectrum, error against rank, parameters against error');
    assert.equal(result.rendered.selected, 'model.layers.0.self_attn.q_proj', 'the module with the largest required rank');
  });

  it('asking again for the same model reveals and updates the same panel', async () => {
    const first = await vscode.commands.executeCommand<ShowReportCommandResult>('loraLens.showReport', { report, waitForRender: true });
    const again = await vscode.commands.executeCommand<ShowReportCommandResult>('loraLens.showReport', { report, budget: 3, waitForRender: true });
    assert.ok(first && again);
    assert.equal(again.created, false);
    assert.equal(again.panels, first.panels);
    assert.equal(again.key, first.key);
    assert.equal(again.rendered?.budget, 3);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('loraLens.analysis'));
    assert.equal(tabs.length, again.panels, 'one tab per panel');
  });

  it('another model gets its own panel', async () => {
    const other = await api.engine.request('engine/analyze', { token: 'panel-test-2', base: path.join(workspace(), 'tiny-llama-adapter') });
    const before = await vscode.commands.executeCommand<ShowReportCommandResult>('loraLens.showReport', { report, waitForRender: true });
    const result = await vscode.commands.executeCommand<ShowReportCommandResult>('loraLens.showReport', { report: other, key: `panel-test-adapter-${Date.now()}`, waitForRender: true });
    assert.ok(before && result);
    assert.equal(result.created, true);
    assert.equal(result.panels, before.panels + 1);
    assert.equal(result.rendered?.kind, 'adapter');
    assert.equal(result.rendered?.rows, other.adapter!.pairs.length);
  });
});
