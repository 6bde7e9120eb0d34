import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeConfigJsonHints, isHfConfigFileName } from '../../../src/hints/configJsonHints';
import { link, readExample } from './helpers';

describe('config.json hints', () => {
  const text = readExample('llama-7b-config/config.json');
  const hints = computeConfigJsonHints(text, { file: 'examples/llama-7b-config/config.json', link });

  it('Llama-2-7B: hints after hidden_size, num_attention_heads and num_hidden_layers, with exact positions and texts', () => {
    assert.deepEqual(hints.inlays.map((h) => [h.position.line, h.position.character, h.label]), [
      [8, 21, 'rank ⌈D/2⌉ = 2048 always suffices (exact)'],
      [13, 27, 'q_proj, k_proj, v_proj, o_proj 4096×4096: min(in,out) 4096, break-even r 2048'],
      // 32 layers × 4 matrices × (4096 + 4096) = 1,048,576 per rank; full 32 × 4 × 4096² = 2,147,483,648.
      [14, 25, 'LoRA on q_proj, k_proj, v_proj, o_proj × 32 layers: 1,048,576 params per rank (full update 2.15B)'],
    ]);
    assert.deepEqual(hints.diagnostics, []);
    assert.deepEqual(hints.lenses, []);
  });

  it('hovers cover key and value, explain the rule, name the theorem and link to the panel', () => {
    assert.deepEqual(hints.hovers[0]!.range, { start: { line: 8, character: 2 }, end: { line: 8, character: 21 } });
    const md = hints.hovers[0]!.markdown();
    assert.match(md, /⌈D\/2⌉ = 2048/);
    assert.match(md, /\*Theorem:\* Zeng & Lee, \*The Expressive Power of Low-Rank Adaptation\* \(ICLR 2024\), Transformer theorem/);
    assert.match(md, /\*Guarantee:\* exact \(sufficient\)/);
    assert.match(md, /simplified Transformer/);
    assert.ok(md.includes(`(command:loraLens.analyzeModel?${encodeURIComponent(link.argsJson)})`));
    assert.match(hints.hovers[2]!.markdown(), /At r = 8: 8,388,608/);
    assert.match(hints.hovers[2]!.markdown(), /A full update of the same matrices: 2,147,483,648 parameters/);
  });

  it('grouped-query attention: k/v get their own shape and break-even rank', () => {
    const gqa = JSON.stringify({ model_type: 'llama', hidden_size: 4096, num_attention_heads: 32, num_key_value_heads: 8, num_hidden_layers: 32, intermediate_size: 14336, vocab_size: 128256 }, null, 2);
    const label = computeConfigJsonHints(gqa, { file: 'config.json', link }).inlays[1]!.label;
    // k/v: 1024×4096, break-even ⌈4096·1024 / 5120⌉ = 820.
    assert.equal(label, 'q_proj, o_proj 4096×4096: min(in,out) 4096, break-even r 2048 · k_proj, v_proj 1024×4096: min(in,out) 1024, break-even r 820');
  });

  it('GPT-2 names (n_embd, n_head, n_layer) and its fused c_attn', () => {
    const gpt2 = '{"model_type": "gpt2", "n_embd": 768, "n_head": 12, "n_layer": 12, "vocab_size": 50257}';
    const labels = computeConfigJsonHints(gpt2, { file: 'config.json', link }).inlays.map((h) => h.label);
    assert.equal(labels[0], 'rank ⌈D/2⌉ = 384 always suffices (exact)');
    assert.equal(labels[1], 'c_attn 2304×768: min(in,out) 768, break-even r 576 · c_proj 768×768: min(in,out) 768, break-even r 384');
  });

  it('an unsupported model_type still gets ⌈D/2⌉ and says why shapes are missing; other config.json files get nothing', () => {
    const other = computeConfigJsonHints('{"model_type": "mamba", "hidden_size": 768}', { file: 'config.json', link });
    assert.deepEqual(other.inlays.map((h) => h.label), ['rank ⌈D/2⌉ = 384 always suffices (exact)']);
    assert.match(other.hovers[0]!.markdown(), /unsupported model\\_type/);
    assert.deepEqual(computeConfigJsonHints('{"compilerOptions": {}}', { file: 'config.json', link }).inlays, []);
    assert.deepEqual(computeConfigJsonHints('{"hidden_size": ', { file: 'config.json', link }).inlays, []);
    assert.equal(isHfConfigFileName('/a/b/config.json'), true);
    assert.equal(isHfConfigFileName('/a/b/adapter_config.json'), false);
  });
});
