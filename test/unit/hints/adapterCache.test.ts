import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchPatternKey } from '../../../src/formats/adapter';
import { hfConfigFromObject } from '../../../src/formats/config';
import { analysisIndex, rankKeysFor, targetedModules } from '../../../src/hints/adapterCache';
import { computeAdapterHints } from '../../../src/hints/adapterHints';
import { applyTextEdit } from '../../../src/hints/json/jsonEdit';
import { linearModules } from '../../../src/hints/modelThresholds';
import { link } from './helpers';

/** A small Llama-style base: D = hidden, `layers` blocks. */
function llama(hidden: number, layers: number) {
  return hfConfigFromObject({
    model_type: 'llama', hidden_size: hidden, num_attention_heads: 4, num_key_value_heads: 2, num_hidden_layers: layers,
    intermediate_size: hidden * 2, vocab_size: 100,
  }, 'base/config.json');
}

const adapter = (rankPattern: Record<string, number>, targets: string[] = ['q_proj', 'v_proj'], r = 8) =>
  JSON.stringify({ base_model_name_or_path: '../base', peft_type: 'LORA', r, rank_pattern: rankPattern, target_modules: targets }, null, 2);

describe('adapter hint caches', () => {
  it('targetedModules: the same array while target_modules stays, recomputed when it or the base config object changes', () => {
    const config = llama(64, 2);
    const qv = targetedModules(config, { targetModules: ['q_proj', 'v_proj'], layersToTransform: null });
    assert.deepEqual(qv.map((m) => m.name), [
      'model.layers.0.self_attn.q_proj', 'model.layers.0.self_attn.v_proj', 'model.layers.1.self_attn.q_proj', 'model.layers.1.self_attn.v_proj',
    ]);
    assert.equal(targetedModules(config, { targetModules: ['q_proj', 'v_proj'], layersToTransform: null }), qv);
    const layer1 = targetedModules(config, { targetModules: ['q_proj', 'v_proj'], layersToTransform: [1] });
    assert.deepEqual(layer1.map((m) => m.name), ['model.layers.1.self_attn.q_proj', 'model.layers.1.self_attn.v_proj']);
    const deeper = llama(64, 3);
    assert.equal(targetedModules(deeper, { targetModules: ['q_proj', 'v_proj'], layersToTransform: null }).length, 6);
  });

  it('rankKeysFor: PEFT get_pattern_key per module; a changed key list (even reordered) is looked up again', () => {
    const modules = linearModules(llama(64, 2));
    const keys = ['model.layers.1.self_attn.q_proj', 'q_proj', 'layers\\.0\\..*proj'];
    const first = rankKeysFor(modules, keys);
    assert.deepEqual(first, modules.map((m) => matchPatternKey(keys, m.name)));
    assert.equal(rankKeysFor(modules, [...keys]), first);
    const reordered = ['layers\\.0\\..*proj', 'q_proj', 'model.layers.1.self_attn.q_proj'];
    const second = rankKeysFor(modules, reordered);
    assert.notEqual(second, first);
    assert.deepEqual(second, modules.map((m) => matchPatternKey(reordered, m.name)));
  });

  it('analysisIndex: derived once per analysis object, invalid ranks left out, frozen', () => {
    const analysis = { rankPattern: { q_proj: 3, v_proj: 0, o_proj: 1.5 }, modules: [{ name: 'model.layers.0.self_attn.q_proj', deltaRank: 3, shape: [64, 64] as [number, number] }] };
    const index = analysisIndex(analysis);
    assert.equal(analysisIndex(analysis), index);
    assert.deepEqual(index.recommended, { q_proj: 3 });
    assert.deepEqual(index.recommendedKeys, ['q_proj']);
    assert.equal(index.deltaRanks.get('model.layers.0.self_attn.q_proj'), 3);
    assert.ok(Object.isFrozen(index.recommended));
    assert.notEqual(analysisIndex({ ...analysis }), index);
  });

  it('hints follow a new base config object and a new analysis object (no stale cached thresholds)', () => {
    const text = adapter({ v_proj: 4 });
    const small = { folder: '/base', via: 'base_model_name_or_path' as const, config: llama(64, 2) };
    const large = { folder: '/base', via: 'base_model_name_or_path' as const, config: llama(128, 3) };
    const label = (base: typeof small) => computeAdapterHints(text, { file: 'adapter_config.json', link, base }).inlays[1]!.label;
    assert.equal(label(small), '→ q_proj ×2: worst case needs 32 · 2,048 params'); // 8·(64+64)·2
    assert.equal(label(large), '→ q_proj ×3: worst case needs 64 · 6,144 params'); // 8·(128+128)·3
    assert.equal(label(small), '→ q_proj ×2: worst case needs 32 · 2,048 params');
    const withAnalysis = (rank: number) => computeAdapterHints(text, {
      file: 'adapter_config.json', link, base: small,
      analysis: { rankPattern: { q_proj: rank }, modules: [{ name: 'model.layers.0.self_attn.q_proj', deltaRank: rank, shape: [64, 64] }] },
    });
    assert.match(withAnalysis(2).inlays[1]!.label, /data needs 2 /);
    assert.match(withAnalysis(5).inlays[1]!.label, /data needs 5 /);
  });

  it('rank_pattern edits between calls: new keys get their modules, invalid values still silence the hints', () => {
    const base = { folder: '/base', via: 'base_model_name_or_path' as const, config: llama(64, 2) };
    const hints = (rankPattern: Record<string, unknown>) => computeAdapterHints(adapter(rankPattern as Record<string, number>), { file: 'adapter_config.json', link, base });
    assert.deepEqual(hints({ v_proj: 4 }).inlays.map((h) => h.label).slice(1, 3), ['→ q_proj ×2: worst case needs 32 · 2,048 params', '→ v_proj ×2: worst case needs 32 · 768 params']);
    assert.deepEqual(hints({ 'layers\\.1\\.self_attn\\.v_proj': 2, v_proj: 4 }).inlays.map((h) => h.label).slice(2, 4), ['→ v_proj: worst case needs 32 · 192 params', '→ v_proj: worst case needs 32 · 384 params']);
    assert.equal(hints({ v_proj: 0 }).inlays.length, 0);
    assert.equal(hints({ v_proj: 'four' }).inlays.length, 0);
    // A repeated key: the last value counts, as with JSON.parse.
    const repeated = adapter({ v_proj: 4 }).replace('"v_proj": 4', '"v_proj": 0,\n    "v_proj": 2');
    const r = computeAdapterHints(repeated, { file: 'adapter_config.json', link, base });
    assert.equal(r.inlays.at(-2)!.label, '→ v_proj ×2: worst case needs 32 · 384 params');
  });

  it('the quick fix edit is built on first use and is the same on every read', () => {
    const base = { folder: '/base', via: 'base_model_name_or_path' as const, config: llama(64, 2) };
    const text = adapter({ v_proj: 4 }, ['q_proj', 'v_proj'], 40);
    const fix = computeAdapterHints(text, { file: 'adapter_config.json', link, base }).diagnostics[0]!.fix!;
    assert.equal(fix.edit, fix.edit);
    assert.deepEqual((JSON.parse(applyTextEdit(text, fix.edit)) as { rank_pattern: unknown }).rank_pattern, fix.rankPattern);
    assert.equal(fix.title, `LoRA Lens: write the recommended rank_pattern (architecture-only) ${JSON.stringify(fix.rankPattern)}`);
    // A long rank_pattern: the title shows its first 77 characters, as before the lazy edit.
    const many: Record<string, number> = {};
    for (let i = 0; i < 40; i++) many[`model.layers.${i}.self_attn.q_proj`] = 1 + (i % 5);
    const analysis = { rankPattern: many, modules: [] };
    const long = computeAdapterHints(text, { file: 'adapter_config.json', link, base, analysis }).diagnostics.find((d) => d.fix)!.fix!;
    assert.equal(long.title, `LoRA Lens: write the recommended rank_pattern (from the analysis) ${JSON.stringify(many).slice(0, 77)}…}`);
  });
});
