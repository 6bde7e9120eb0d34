/**
 * "LoRA Lens: Validate by Training…" in real VS Code: the argument form (no dialogs) runs the engine's
 * engine/validate on tiny networks and shows the result in its webview.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LoraLensApi } from '../../../src/extension/main';
import type { ValidationResult } from '../../../src/protocol';

function validationTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && /loraLens\.validation/.test(t.input.viewType));
}

/** Resolves once a validation tab is open (tabs update after the command returns). */
function validationTabOpened(): Promise<void> {
  return new Promise((resolve) => {
    if (validationTabs().length > 0) return resolve();
    const sub = vscode.window.tabGroups.onDidChangeTabs(() => {
      if (validationTabs().length === 0) return;
      sub.dispose();
      resolve();
    });
  });
}

describe('loraLens.validateByTraining: validate by training', () => {
  let api: LoraLensApi;
  before(async () => {
    const ext = vscode.extensions.getExtension<LoraLensApi>('lora-lens.lora-lens');
    assert.ok(ext);
    api = await ext.activate();
  });

  it('width 4, L = 2, L̄ = 1: the construction is exact from the threshold r = 2 on, gradient curves too, a panel opens', async () => {
    let progressed = 0;
    const sub = api.engine.onDidProgress(() => progressed++);
    const result = await vscode.commands.executeCommand<ValidationResult | undefined>('loraLens.validateByTraining', {
      width: 4, frozenDepth: 2, targetDepth: 1, ranks: [1, 2, 3, 4], seeds: 1, steps: 50, methods: ['construction', 'gradient'],
    });
    sub.dispose();
    assert.ok(result, 'the command returns the ValidationResult');
    assert.equal(result.threshold, 2);
    assert.ok(progressed > 0, 'engine/progress notifications arrived');
    const construction = result.curves.filter((c) => c.method === 'construction');
    const gradient = result.curves.filter((c) => c.method === 'gradient');
    assert.deepEqual(construction.map((c) => c.rank).sort(), [1, 2, 3, 4]);
    assert.deepEqual(gradient.map((c) => c.rank).sort(), [1, 2, 3, 4]);
    for (const c of construction.filter((p) => p.rank >= 2)) assert.ok(c.medianTestMse < 1e-8, `construction at rank ${c.rank}: ${c.medianTestMse}`);
    assert.ok(construction.find((c) => c.rank === 1)!.medianTestMse > 1e-6, 'below the threshold the construction is not exact');
    assert.ok(gradient.every((c) => Number.isFinite(c.medianTestMse)));
    await validationTabOpened();
    assert.equal(validationTabs().length, 1);
  });
});
