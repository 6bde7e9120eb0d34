/**
 * The safetensors viewer inside a real VS Code: the custom editor opens on the bundled example and
 * renders its header; broken files show their problem in the editor and the extension keeps working.
 * Tests wait on the webview's own "rendered" report (command loraLens.safetensorsViewer.waitForRender).
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { SafetensorsViewerRendered } from '../../../src/protocol';

const VIEW_TYPE = 'loraLens.safetensorsViewer';
const WAIT_FOR_RENDER = 'loraLens.safetensorsViewer.waitForRender';
const EXTENSION_ID = 'lora-lens.lora-lens';

function workspaceUri(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run in a workspace (a copy of examples/)');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

async function openInViewer(uri: vscode.Uri): Promise<SafetensorsViewerRendered> {
  await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
  return vscode.commands.executeCommand<SafetensorsViewerRendered>(WAIT_FOR_RENDER, uri, 90_000);
}

function activeCustomEditor(): vscode.TabInputCustom | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? input : undefined;
}

describe('safetensors viewer (custom editor)', () => {
  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('opens tiny-llama-base/model.safetensors and renders 21 tensors in 4 groups', async () => {
    const uri = workspaceUri('tiny-llama-base', 'model.safetensors');
    const rendered = await openInViewer(uri);
    assert.deepEqual(rendered, { view: 'model', groups: 4, rows: 21 });
    const tab = activeCustomEditor();
    assert.equal(tab?.viewType, VIEW_TYPE);
    assert.equal(tab?.uri.toString(), uri.toString());
  });

  it('a truncated file and a lying header show their problem in the editor; the extension stays alive', async () => {
    const good = workspaceUri('tiny-llama-base', 'model.safetensors');
    const bytes = await fs.readFile(good.fsPath);
    const folder = workspaceUri('corrupt');
    await fs.mkdir(folder.fsPath, { recursive: true });

    const truncated = vscode.Uri.joinPath(folder, 'truncated.safetensors');
    await fs.writeFile(truncated.fsPath, bytes.subarray(0, bytes.length - 1000));
    const first = await openInViewer(truncated);
    assert.equal(first.view, 'error');
    assert.match(first.errorText ?? '', /run past the end of the data section .*truncated file\?/);
    assert.doesNotMatch(first.errorText ?? '', /\n|at \w+ \(/, 'one line, no stack trace');
    assert.equal(activeCustomEditor()?.viewType, VIEW_TYPE, 'the error is shown in the custom editor itself');

    const lying = vscode.Uri.joinPath(folder, 'lying.safetensors');
    const lyingBytes = Buffer.from(bytes);
    lyingBytes.writeBigUInt64LE(1n << 62n, 0);
    await fs.writeFile(lying.fsPath, lyingBytes);
    const second = await openInViewer(lying);
    assert.equal(second.view, 'error');
    assert.match(second.errorText ?? '', /^header length \d+ exceeds the file size/);

    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.equal(ext?.isActive, true, 'the extension is still active');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const again = await openInViewer(vscode.Uri.joinPath(workspaceUri('tiny-llama-finetuned'), 'model.safetensors'));
    assert.equal(again.view, 'model', 'the viewer still works after the broken files');
    assert.equal(again.rows, 21);
  });

  it('reads the file again when it changes on disk', async () => {
    const folder = workspaceUri('viewer-reload');
    await fs.mkdir(folder.fsPath, { recursive: true });
    const uri = vscode.Uri.joinPath(folder, 'changing.safetensors');
    await fs.writeFile(uri.fsPath, Buffer.from('not a checkpoint at all'));
    assert.equal((await openInViewer(uri)).view, 'error');
    await fs.copyFile(workspaceUri('mlp-pair', 'frozen.safetensors').fsPath, uri.fsPath);
    // The viewer watches the file and re-reads it; wait for the webview to report the model.
    const next = vscode.commands.executeCommand<SafetensorsViewerRendered>(WAIT_FOR_RENDER, uri, 60_000, 'model');
    const rendered = await next;
    assert.deepEqual(rendered, { view: 'model', groups: 4, rows: 8 });
  });
});
