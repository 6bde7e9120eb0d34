/**
 * The analysis and export commands in real VS Code, on the bundled examples (the workspace is a temp
 * copy of examples/). Argument forms avoid dialogs; the Explorer form (a Uri) is used where it opens none.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LoraLensApi } from '../../../src/extension/main';
import type { Report } from '../../../src/protocol';

function workspace(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder');
  return folder.uri.fsPath;
}

const example = (...parts: string[]) => path.join(workspace(), ...parts);

async function run<T>(command: string, ...args: unknown[]): Promise<T | undefined> {
  return vscode.commands.executeCommand<T | undefined>(command, ...args);
}

/** Resolves on the engine's next progress notification. */
function nextProgress(api: LoraLensApi): Promise<void> {
  return new Promise((resolve) => {
    const sub = api.engine.onDidProgress(() => {
      sub.dispose();
      resolve();
    });
  });
}

function analysisTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && /loraLens\.analysis/.test(t.input.viewType));
}

describe('analysis and export commands', () => {
  let api: LoraLensApi;
  let outDir: string;
  let comparison: Report;
  before(async () => {
    const ext = vscode.extensions.getExtension<LoraLensApi>('lora-lens.lora-lens');
    assert.ok(ext);
    api = await ext.activate();
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lora-lens-exports-'));
  });
  after(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('Analyze Model on a config-only folder: the architecture report (Llama-2-7B)', async () => {
    const report = await run<Report>('loraLens.analyzeModel', { model: example('llama-7b-config'), showPanel: false });
    assert.ok(report);
    assert.equal(report.kind, 'architecture');
    // Seven weight matrices per block × 32 blocks, plus the embedding and the head.
    assert.equal(report.architecture?.modules.length, 32 * 7 + 2);
    assert.equal(report.architecture?.modules.filter((m) => m.role === 'q').length, 32);
    assert.equal(report.architecture?.transformer?.worstCase.requiredRank, 2048);
  });

  it('Analyze Model from the Explorer (a folder Uri) opens the analysis panel', async function () {
    const report = await run<Report>('loraLens.analyzeModel', vscode.Uri.file(example('tiny-llama-base')));
    assert.ok(report);
    assert.equal(report.kind, 'architecture');
    assert.equal(report.models.base.source, example('tiny-llama-base'));
    if ((await vscode.commands.getCommands(true)).includes('loraLens.showReport')) {
      assert.ok(analysisTabs().length > 0, 'no analysis panel tab');
    } else {
      console.log('    (loraLens.showReport is not registered in this build: panel not checked)');
    }
  });

  it('Compare Base and Fine-tuned: the planted ranks as rank_pattern', async () => {
    const report = await run<Report>('loraLens.compareModels', { base: example('tiny-llama-base'), target: example('tiny-llama-finetuned'), showPanel: false });
    assert.ok(report?.transformer);
    comparison = report;
    assert.equal(report.kind, 'transformer');
    assert.deepEqual(report.transformer.rankPattern, {
      'model.layers.0.self_attn.q_proj': 4,
      'model.layers.0.self_attn.v_proj': 2,
      'model.layers.0.self_attn.o_proj': 3,
      'model.layers.1.mlp.down_proj': 1,
    });
    assert.ok(report.backend, 'a tensor backend is named');
  });

  it('Plan Partition (FNN): uniform needs 6, the optimal [1 2] [3 4 5 6] needs 4', async () => {
    const report = await run<Report>('loraLens.planPartition', {
      frozen: example('mlp-pair-close', 'frozen.safetensors'),
      target: example('mlp-pair-close', 'target.safetensors'),
      showPanel: false,
    });
    assert.ok(report?.fnn);
    assert.deepEqual(report.fnn.uniform.partition, [[1, 2, 3], [4, 5, 6]]);
    assert.equal(report.fnn.uniform.requiredRank, 6);
    assert.deepEqual(report.fnn.best.partition, [[1, 2], [3, 4, 5, 6]]);
    assert.deepEqual(report.fnn.best.discrepancyRanks, [3, 16]);
    assert.equal(report.fnn.best.requiredRank, 4);
  });

  it('Plan Partition with only a frozen checkpoint and a target depth: the worst case', async () => {
    const report = await run<Report>('loraLens.planPartition', { frozen: example('mlp-pair', 'frozen.safetensors'), targetDepth: 2, showPanel: false });
    assert.ok(report?.architecture?.fnn);
    // D = 16, L = 4, L̄ = 2: ⌈16 / ⌊4/2⌋⌉ = 8.
    assert.equal(report.architecture.fnn.worstCase.requiredRank, 8);
  });

  it('Audit PEFT Adapter from its adapter_config.json: effective ranks 3, 2, 8, 1', async () => {
    const report = await run<Report>('loraLens.auditAdapter', { adapter: example('tiny-llama-adapter'), showPanel: false });
    assert.ok(report?.adapter);
    const effective = Object.fromEntries(report.adapter.pairs.map((p) => [p.baseModule, p.effectiveRank]));
    assert.deepEqual(effective, {
      'model.layers.0.self_attn.q_proj': 3,
      'model.layers.0.self_attn.v_proj': 2,
      'model.layers.1.self_attn.q_proj': 8,
      'model.layers.1.self_attn.v_proj': 1,
    });
  });

  it('Export Design Review writes Markdown, HTML, JSON and PEFT files with the report content', async () => {
    const target = (name: string) => vscode.Uri.file(path.join(outDir, name));
    const md = await run<vscode.Uri>('loraLens.exportDesignReview', { report: comparison, budget: 2, format: 'markdown', uri: target('review.md') });
    const html = await run<vscode.Uri>('loraLens.exportDesignReview', { report: comparison, budget: 2, format: 'html', uri: target('review.html') });
    const json = await run<vscode.Uri>('loraLens.exportDesignReview', { report: comparison, format: 'json', uri: target('review.json') });
    const peft = await run<vscode.Uri>('loraLens.exportDesignReview', { report: comparison, format: 'peft', uri: target('peft/adapter_config.json') });
    assert.ok(md && html && json && peft);
    const mdText = fs.readFileSync(md.fsPath, 'utf8');
    assert.match(mdText, /^# LoRA Lens report/);
    assert.match(mdText, /\| model\.layers\.0\.self\\_attn\.q\\_proj \| \\\[64, 64\\\] \| 4 \|/);
    assert.match(mdText, /"model\.layers\.0\.self_attn\.q_proj": 4/);
    const htmlText = fs.readFileSync(html.fsPath, 'utf8');
    assert.match(htmlText, /<svg\b/);
    assert.doesNotMatch(htmlText, /<script|<link|https?:\/\//i);
    assert.match(htmlText, /model\.layers\.0\.self_attn\.q_proj/);
    assert.deepEqual(JSON.parse(fs.readFileSync(json.fsPath, 'utf8')), JSON.parse(JSON.stringify(comparison)));
    const config = JSON.parse(fs.readFileSync(peft.fsPath, 'utf8')) as { r: number; rank_pattern: Record<string, number> };
    assert.equal(config.r, 4);
    assert.equal(config.rank_pattern['layers.0.self_attn.o_proj'], 3);
  });

  it('Export rank_pattern: r, rank_pattern, alpha_pattern = 2·r; never replaces a file unasked or an input file', async () => {
    const uri = vscode.Uri.file(path.join(outDir, 'rank', 'adapter_config.json'));
    const written = await run<vscode.Uri>('loraLens.exportRankPattern', { report: comparison, uri });
    assert.equal(written?.fsPath, uri.fsPath);
    const config = JSON.parse(fs.readFileSync(uri.fsPath, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(config.rank_pattern, { 'layers.0.self_attn.o_proj': 3, 'layers.0.self_attn.q_proj': 4, 'layers.0.self_attn.v_proj': 2, 'layers.1.mlp.down_proj': 1 });
    assert.deepEqual(config.alpha_pattern, { 'layers.0.self_attn.o_proj': 6, 'layers.0.self_attn.q_proj': 8, 'layers.0.self_attn.v_proj': 4, 'layers.1.mlp.down_proj': 2 });
    assert.equal(config.r, 4);
    assert.equal(config.lora_alpha, 8);
    assert.deepEqual(config.target_modules, Object.keys(config.rank_pattern as object));

    // An existing file is not replaced without a confirmation…
    fs.writeFileSync(uri.fsPath, 'keep me');
    assert.equal(await run('loraLens.exportRankPattern', { report: comparison, uri, overwrite: false }), undefined);
    assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), 'keep me');
    // …and is with one.
    assert.ok(await run('loraLens.exportRankPattern', { report: comparison, uri, overwrite: true }));
    assert.notEqual(fs.readFileSync(uri.fsPath, 'utf8'), 'keep me');

    // An input of the analysis is never written, even when told to overwrite.
    const adapterReport = await run<Report>('loraLens.auditAdapter', { adapter: example('tiny-llama-adapter'), showPanel: false });
    const input = example('tiny-llama-adapter', 'adapter_config.json');
    const before = fs.readFileSync(input, 'utf8');
    assert.equal(await run('loraLens.exportRankPattern', { report: adapterReport, uri: vscode.Uri.file(input), overwrite: true }), undefined);
    assert.equal(fs.readFileSync(input, 'utf8'), before);
  });

  it('Export rank_pattern of an architecture-only report is refused (nothing data-driven to export)', async () => {
    const report = await run<Report>('loraLens.analyzeModel', { model: example('llama-7b-config'), showPanel: false });
    const uri = vscode.Uri.file(path.join(outDir, 'arch', 'adapter_config.json'));
    assert.equal(await run('loraLens.exportRankPattern', { report, uri }), undefined);
    assert.equal(fs.existsSync(uri.fsPath), false);
  });

  it('bad inputs end in a message, not an exception: a missing file, mismatched architectures', async () => {
    assert.equal(await run('loraLens.analyzeModel', { model: example('no-such-model'), showPanel: false }), undefined);
    assert.equal(await run('loraLens.compareModels', { base: example('tiny-llama-base'), target: example('mlp-pair', 'frozen.safetensors'), showPanel: false }), undefined);
  });

  it('Cancel stops the analysis at once and leaves the engine answering', async () => {
    const source = new vscode.CancellationTokenSource();
    const pid = api.engine.pid;
    const progressed = nextProgress(api);
    const result = run<Report>('loraLens.compareModels', {
      base: example('tiny-llama-base'), target: example('tiny-llama-finetuned'), showPanel: false, cancellation: source.token,
    });
    await progressed;
    source.cancel();
    assert.equal(await result, undefined);
    // The engine stopped working on it: a status request is answered promptly by the same process.
    const started = Date.now();
    const status = await api.engine.request('engine/status', {});
    assert.equal(status.pid, pid);
    assert.ok(Date.now() - started < 5_000, `status took ${Date.now() - started} ms after the cancel`);
  });

  it('survives the engine being killed mid-analysis: the command reports it, the next one works', async () => {
    const progressed = nextProgress(api);
    const result = run<Report>('loraLens.compareModels', { base: example('tiny-llama-base'), target: example('tiny-llama-finetuned'), showPanel: false });
    await progressed;
    const pid = api.engine.pid;
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    assert.equal(await result, undefined);
    const next = await run<Report>('loraLens.auditAdapter', { adapter: example('tiny-llama-adapter'), showPanel: false });
    assert.ok(next?.adapter, 'the next analysis works');
    assert.notEqual(api.engine.pid, pid);
  });
});
