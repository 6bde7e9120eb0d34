/**
 * Inline hints in a real VS Code: inlay hints, CodeLens, hovers, diagnostics and the rank_pattern
 * quick fix on the bundled examples (a temp copy of examples/). Waits on events, never on sleeps.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { analysisStore } from '../../../src/extension/hints/analysisStore';

const EXTENSION_ID = 'lora-lens.lora-lens';

function workspaceRoot(): string {
  const root = process.env.LORA_LENS_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(root, 'no test workspace');
  return root;
}

function everything(doc: vscode.TextDocument): vscode.Range {
  return new vscode.Range(0, 0, doc.lineCount, 0);
}

async function open(relative: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspaceRoot(), relative)));
  await vscode.window.showTextDocument(doc);
  return doc;
}

async function inlayHints(doc: vscode.TextDocument): Promise<vscode.InlayHint[]> {
  const hints = (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, everything(doc))) ?? [];
  return hints.sort((a, b) => a.position.compareTo(b.position));
}

function labelText(h: vscode.InlayHint): string {
  return typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
}

/** Resolves when `predicate` holds for the document's LoRA Lens diagnostics (checked now and on every change). */
function diagnosticsWhen(uri: vscode.Uri, predicate: (d: vscode.Diagnostic[]) => boolean, what: string): Promise<vscode.Diagnostic[]> {
  const ours = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'LoRA Lens');
  return new Promise((resolve, reject) => {
    const now = ours();
    if (predicate(now)) return resolve(now);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for diagnostics: ${what}; have ${JSON.stringify(ours().map((d) => d.message))}`));
    }, 60_000);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const current = ours();
      if (predicate(current)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(current);
      }
    });
  });
}

/** Resolves when the document's CodeLens titles satisfy `predicate` after an edit (re-asked on each change event). */
async function lensesWhen(doc: vscode.TextDocument, predicate: (titles: string[]) => boolean): Promise<string[]> {
  const titles = async () => ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [])
    .map((l) => l.command?.title ?? '');
  const first = await titles();
  if (predicate(first)) return first;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error('timed out waiting for CodeLens'));
    }, 60_000);
    const sub = vscode.workspace.onDidChangeTextDocument(async (e) => {
      if (e.document !== doc) return;
      const now = await titles();
      if (predicate(now)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(now);
      }
    });
    void titles().then((now) => {
      if (predicate(now)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(now);
      }
    });
  });
}

async function revert(doc: vscode.TextDocument): Promise<void> {
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('workbench.action.files.revert');
}

describe('inline hints', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  it('hints: config.json shows ⌈D/2⌉, per-matrix bounds and LoRA costs at the right places, with a hover linking to the panel', async () => {
    const doc = await open('llama-7b-config/config.json');
    const hints = await inlayHints(doc);
    assert.deepEqual(hints.map((h) => [h.position.line, h.position.character, labelText(h)]), [
      [8, 21, 'rank ⌈D/2⌉ = 2048 always suffices (exact)'],
      [13, 27, 'q_proj, k_proj, v_proj, o_proj 4096×4096: min(in,out) 4096, break-even r 2048'],
      [14, 25, 'LoRA on q_proj, k_proj, v_proj, o_proj × 32 layers: 1,048,576 params per rank (full update 2.15B)'],
    ]);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(8, 5));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /Transformer theorem/);
    assert.match(text, /command:loraLens\.analyzeModel\?/);
  });

  it('hints: adapter_config.json compares ranks with the base model, then with an analysis: diagnostics and a quick fix', async () => {
    const doc = await open('tiny-llama-adapter/adapter_config.json');
    const hints = await inlayHints(doc);
    assert.deepEqual(hints.map((h) => [h.position.line, h.position.character, labelText(h)]), [
      [2, 49, '→ llama, D = 64, 2 layers, ⌈D/2⌉ = 32'],
      [13, 8, '→ q_proj ×2: worst case needs 32 · 2,048 params'],
      [15, 15, '→ v_proj ×2: worst case needs 32 · 768 params'],
      [20, 3, '→ 4 modules: q_proj ×2, v_proj ×2 · 2,816 LoRA params (full update 12,288)'],
    ]);
    await diagnosticsWhen(doc.uri, (d) => d.length === 0, 'none before an analysis');

    const baseFolder = path.join(workspaceRoot(), 'tiny-llama-base');
    const rankPattern = { 'model.layers.0.self_attn.q_proj': 4, 'model.layers.0.self_attn.v_proj': 2 };
    analysisStore.setTransformerResult(baseFolder, {
      rankPattern,
      modules: [
        { name: 'model.layers.0.self_attn.q_proj', deltaRank: 4, shape: [64, 64] },
        { name: 'model.layers.0.self_attn.v_proj', deltaRank: 2, shape: [32, 64] },
        { name: 'model.layers.1.self_attn.q_proj', deltaRank: 0, shape: [64, 64] },
        { name: 'model.layers.1.self_attn.v_proj', deltaRank: 0, shape: [32, 64] },
      ],
    });
    try {
      const diagnostics = await diagnosticsWhen(doc.uri, (d) => d.length === 2, 'two rank-above-data-requirement');
      assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.severity, d.code]), [
        [13, vscode.DiagnosticSeverity.Information, 'rank-above-data-requirement'],
        [15, vscode.DiagnosticSeverity.Information, 'rank-above-data-requirement'],
      ]);
      assert.match(diagnostics[0]!.message, /^r = 8 is above what the fine-tuned model needs: rank\(ΔW\) ≤ 4/);
      const updated = await inlayHints(doc);
      assert.equal(labelText(updated[1]!), '→ q_proj ×2: worst case needs 32, data needs 4 · 2,048 params');

      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diagnostics[0]!.range, vscode.CodeActionKind.QuickFix.value);
      const fix = actions.find((a) => a.title.startsWith('LoRA Lens: write the recommended rank_pattern'));
      assert.ok(fix?.edit, `no quick fix among ${JSON.stringify(actions.map((a) => a.title))}`);
      const before = JSON.parse(doc.getText()) as Record<string, unknown>;
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      const after = JSON.parse(doc.getText()) as Record<string, unknown>;
      assert.deepEqual(after.rank_pattern, rankPattern);
      assert.deepEqual({ ...after, rank_pattern: before.rank_pattern }, before);
      // The r diagnostic stays (r still governs layer-1 q_proj), but no fix is offered any more.
      await diagnosticsWhen(doc.uri, (d) => d.length === 1 && d[0]!.range.start.line === 13, 'after the fix');
      const again = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(13, 2, 13, 8), vscode.CodeActionKind.QuickFix.value);
      assert.equal(again.filter((a) => a.title.startsWith('LoRA Lens')).length, 0);
    } finally {
      analysisStore.clear(baseFolder);
      await revert(doc);
    }
  });

  it('hints: Python CodeLens above the nn.Sequential and inlay hints at LoraConfig(r=8), updated after an edit', async () => {
    const doc = await open('python/mlp_lora.py');
    const lenses = await lensesWhen(doc, (t) => t.length > 0);
    assert.equal(lenses[0], 'LoRA Lens: FNN depth 4 width 16 → target depth 2 needs rank ≥ 8 (exact) · L̄ = ⌈L/2⌉ = 2 (default)');
    const codeLenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    assert.equal(codeLenses[0]!.range.start.line, 14);
    const hints = await inlayHints(doc);
    assert.deepEqual(hints.map((h) => [h.position.line, h.position.character, labelText(h)]), [
      [42, 23, '→ q_proj, v_proj: sizes not known from the source (width)'],
      [42, 75, '→ 2 nn.Linear in this file (q_proj, v_proj)'],
    ]);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(14, 2));
    assert.match(hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n'), /FNN exact-representation theorem/);
    try {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(0, 0), '# lora-lens: target-depth=1\n');
      edit.delete(doc.uri, new vscode.Range(15, 0, 17, 0)); // one Linear + ReLU
      assert.ok(await vscode.workspace.applyEdit(edit));
      const edited = await lensesWhen(doc, (t) => t[0]?.includes('depth 3') ?? false);
      assert.equal(edited[0], 'LoRA Lens: FNN depth 3 width 16 → target depth 1 needs rank ≥ 6 (exact) · L̄ = 1 from # lora-lens: target-depth');
    } finally {
      await revert(doc);
    }
  });
});
