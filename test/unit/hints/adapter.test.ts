import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { matchPatternKey } from '../../../src/formats/adapter';
import { readHfConfig, type HfConfig } from '../../../src/formats/config';
import { analysisStore, AnalysisStore } from '../../../src/extension/hints/analysisStore';
import { computeAdapterHints, type BaseModelInfo } from '../../../src/hints/adapterHints';
import { baseModelCandidates } from '../../../src/hints/baseModelPath';
import { applyTextEdit } from '../../../src/hints/json/jsonEdit';
import { PatternKeyLookup } from '../../../src/hints/rankLookup';
import { examples, link, readExample } from './helpers';

const adapterFile = path.join(examples, 'tiny-llama-adapter', 'adapter_config.json');
const baseFolder = path.join(examples, 'tiny-llama-base');
const text = readExample('tiny-llama-adapter/adapter_config.json');

/** What the analysis of tiny-llama-base against tiny-llama-finetuned finds (planted ranks, see examples/README.md). */
const plantedAnalysis = {
  rankPattern: { 'model.layers.0.self_attn.q_proj': 4, 'model.layers.0.self_attn.v_proj': 2 },
  modules: [
    { name: 'model.layers.0.self_attn.q_proj', deltaRank: 4, shape: [64, 64] as [number, number] },
    { name: 'model.layers.0.self_attn.v_proj', deltaRank: 2, shape: [32, 64] as [number, number] },
    { name: 'model.layers.0.self_attn.o_proj', deltaRank: 3, shape: [64, 64] as [number, number] },
    { name: 'model.layers.1.mlp.down_proj', deltaRank: 1, shape: [64, 128] as [number, number] },
    { name: 'model.layers.1.self_attn.q_proj', deltaRank: 0, shape: [64, 64] as [number, number] },
    { name: 'model.layers.1.self_attn.v_proj', deltaRank: 0, shape: [32, 64] as [number, number] },
  ],
};

describe('adapter_config.json hints', () => {
  let config: HfConfig;
  let base: BaseModelInfo;
  before(async () => {
    config = await readHfConfig(path.join(baseFolder, 'config.json'));
    base = { folder: baseFolder, via: 'base_model_name_or_path', config };
  });

  it('finds the base model through base_model_name_or_path relative to the adapter folder, then the setting', () => {
    assert.deepEqual(baseModelCandidates(adapterFile, '../tiny-llama-base', null), [{ folder: baseFolder, via: 'base_model_name_or_path' }]);
    assert.deepEqual(baseModelCandidates(adapterFile, '/abs/base', 'models/base', '/ws'), [
      { folder: path.resolve('/abs/base'), via: 'base_model_name_or_path' },
      { folder: path.resolve('/ws/models/base'), via: 'setting' },
    ]);
  });

  it('tiny-llama example (architecture only): hints at base_model_name_or_path, r, rank_pattern and target_modules; no diagnostics', () => {
    const hints = computeAdapterHints(text, { file: adapterFile, link, base });
    // Base: D = 64, q_proj 64×64 and v_proj 32×64 (2 KV heads of width 16), 2 layers.
    assert.deepEqual(hints.inlays.map((h) => [h.position.line, h.position.character, h.label]), [
      [2, 49, '→ llama, D = 64, 2 layers, ⌈D/2⌉ = 32'],
      [13, 8, '→ q_proj ×2: worst case needs 32 · 2,048 params'], // 8·(64+64)·2
      [15, 15, '→ v_proj ×2: worst case needs 32 · 768 params'], // 4·(64+32)·2
      [20, 3, '→ 4 modules: q_proj ×2, v_proj ×2 · 2,816 LoRA params (full update 12,288)'],
    ]);
    assert.deepEqual(hints.diagnostics, []);
    const rHover = hints.hovers.find((h) => h.range.start.line === 13)!;
    assert.deepEqual(rHover.range, { start: { line: 13, character: 2 }, end: { line: 13, character: 8 } });
    assert.match(rHover.markdown(), /Transformer theorem/);
    assert.match(rHover.markdown(), /command:loraLens\.analyzeModel\?/);
  });

  it('with an analysis in the store: the data-driven requirement, diagnostics and a quick fix that writes its rank_pattern', () => {
    const store = new AnalysisStore();
    store.setTransformerResult(baseFolder + path.sep, plantedAnalysis);
    const analysis = store.getTransformerResult(baseFolder);
    assert.ok(analysis);
    const hints = computeAdapterHints(text, { file: adapterFile, link, base, analysis });
    assert.equal(hints.inlays[1]!.label, '→ q_proj ×2: worst case needs 32, data needs 4 · 2,048 params');
    assert.equal(hints.inlays[2]!.label, '→ v_proj ×2: worst case needs 32, data needs 2 · 768 params');
    assert.deepEqual(hints.diagnostics.map((d) => [d.severity, d.code, d.range.start.line, d.range.start.character, d.range.end.character, d.message]), [
      ['information', 'rank-above-data-requirement', 13, 2, 8, 'r = 8 is above what the fine-tuned model needs: rank(ΔW) ≤ 4 on q_proj ×2 (exact per matrix, Eckart–Young–Mirsky)'],
      ['information', 'rank-above-data-requirement', 15, 4, 15, 'rank_pattern "v_proj" = 4 is above what the fine-tuned model needs: rank(ΔW) ≤ 2 on v_proj ×2 (exact per matrix, Eckart–Young–Mirsky)'],
    ]);
    const fix = hints.diagnostics[0]!.fix!;
    assert.ok(fix.title.startsWith('LoRA Lens: write the recommended rank_pattern (from the analysis)'));
    const after = JSON.parse(applyTextEdit(text, fix.edit)) as Record<string, unknown>;
    const original = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(after.rank_pattern, plantedAnalysis.rankPattern);
    assert.deepEqual({ ...after, rank_pattern: original.rank_pattern }, original);
    // The modules the fine-tune changed but the adapter does not target are named in the hover.
    assert.match(hints.hovers.at(-1)!.markdown(), /does not target: `model\.layers\.0\.self_attn\.o_proj` \(rank 3\), `model\.layers\.1\.mlp\.down_proj` \(rank 1\)/);
    // After the fix the file agrees with the analysis: no more fix offered.
    const fixed = computeAdapterHints(applyTextEdit(text, fix.edit), { file: adapterFile, link, base, analysis });
    assert.ok(fixed.diagnostics.every((d) => d.fix === undefined));
  });

  it('r above ⌈D/2⌉: Information with an architecture-only fix; past break-even: a full update is cheaper (Warning)', () => {
    const big = text.replace('"r": 8', '"r": 40');
    const hints = computeAdapterHints(big, { file: adapterFile, link, base });
    assert.deepEqual(hints.diagnostics.map((d) => [d.severity, d.code, d.message]), [
      ['information', 'rank-above-worst-case', 'r = 40 is above ⌈D/2⌉ = 32, which always suffices for attention matrices (Zeng & Lee, ICLR 2024; the paper\'s simplified Transformer)'],
      // q_proj 64×64 at rank 40: 40·128 = 5,120 > 4,096; break-even ⌈4096/128⌉ = 32.
      ['warning', 'full-update-cheaper', 'r = 40: a full update of q_proj (64×64) needs 4,096 parameters, fewer than LoRA\'s 5,120 (break-even rank 32)'],
    ]);
    const fix = hints.diagnostics[0]!.fix!;
    assert.deepEqual(fix.rankPattern, { v_proj: 4, q_proj: 32 });
    assert.equal(hints.diagnostics[1]!.fix, undefined);
    const after = JSON.parse(applyTextEdit(big, fix.edit)) as Record<string, unknown>;
    assert.deepEqual(after.rank_pattern, { v_proj: 4, q_proj: 32 });
    assert.equal(after.r, 40);
  });

  it('r ≥ min(in, out) is a full-rank update (Warning); a pattern that matches nothing is reported', () => {
    const full = text.replace('"v_proj": 4', '"v_proj": 32').replace('"rank_pattern": {', '"rank_pattern": {\n    "gate_proj": 2,');
    const hints = computeAdapterHints(full, { file: adapterFile, link, base });
    const codes = hints.diagnostics.map((d) => [d.code, d.message]);
    assert.deepEqual(codes, [
      ['pattern-matches-nothing', 'rank_pattern "gate_proj" = 2 matches no module that target_modules selects in the base model'],
      ['rank-full-rank-update', 'rank_pattern "v_proj" = 32 ≥ min(in, out) = 32 for v_proj (32×64): LoRA at this rank is a full-rank update, and a full update is cheaper'],
    ]);
  });

  it('without a local base model: one hint saying how to set it, nothing else', () => {
    const hints = computeAdapterHints(text, { file: adapterFile, link });
    assert.deepEqual(hints.inlays.map((h) => h.label), ['→ not a local folder: set loraLens.baseModelPath for rank hints']);
    assert.deepEqual(hints.diagnostics, []);
    const broken = computeAdapterHints(text, { file: adapterFile, link, base: { folder: '/x', via: 'setting', error: 'config.json no such file or folder' } });
    assert.deepEqual(broken.diagnostics.map((d) => d.code), ['base-model-unreadable']);
  });
});

describe('PatternKeyLookup', () => {
  it('agrees with PEFT get_pattern_key (matchPatternKey) on literal, regex and shadowed keys', () => {
    const keys = ['model.layers.1.self_attn.q_proj', 'q_proj', 'layers\\.0\\..*v_proj', 'v_proj', 'proj', 'mlp.down_proj'];
    const lookup = new PatternKeyLookup(keys);
    const names = [
      'model.layers.0.self_attn.q_proj', 'model.layers.1.self_attn.q_proj', 'model.layers.0.self_attn.v_proj',
      'model.layers.1.self_attn.v_proj', 'model.layers.1.mlp.down_proj', 'model.layers.1.mlp.up_proj', 'lm_head', 'xq_proj',
    ];
    for (const name of names) assert.equal(lookup.keyFor(name), matchPatternKey(keys, name), name);
  });
});

describe('analysisStore', () => {
  it('is one shared instance, keyed by normalised folder, and notifies listeners', () => {
    const seen: string[] = [];
    const sub = analysisStore.onDidChange((folder) => seen.push(folder));
    analysisStore.setTransformerResult(`${baseFolder}/./`, plantedAnalysis);
    assert.deepEqual(analysisStore.getTransformerResult(baseFolder)?.rankPattern, plantedAnalysis.rankPattern);
    analysisStore.clear(baseFolder);
    assert.equal(analysisStore.getTransformerResult(baseFolder), undefined);
    sub.dispose();
    analysisStore.setTransformerResult(baseFolder, plantedAnalysis);
    analysisStore.clear();
    assert.deepEqual(seen, [baseFolder, baseFolder]);
  });
});
