/**
 * adapter_config.json hints reuse work across calls (module groups per base config, entry facts
 * and renders per group, line lookups in file order). After any sequence of edits, the result must
 * equal a from-scratch computation: the same text with a freshly read base config and a fresh
 * copy of the analysis, so that nothing remembered can be reused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hfConfigFromObject } from '../../../src/formats/config';
import { computeAdapterHints, type BaseModelInfo } from '../../../src/hints/adapterHints';
import type { TransformerAnalysisResult } from '../../../src/hints/types';
import { link } from './helpers';
import { materialize } from './materialize';

const MODULES = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'];

function baseInfo(layers: number): BaseModelInfo {
  const config = hfConfigFromObject({
    model_type: 'llama', hidden_size: 256, num_attention_heads: 8, num_key_value_heads: 4, num_hidden_layers: layers,
    intermediate_size: 688, vocab_size: 1000,
  }, 'base/config.json');
  return { folder: '/base', via: 'base_model_name_or_path', config };
}

function adapterText(layers: number): string {
  const rank: Record<string, number> = {};
  const alpha: Record<string, number> = {};
  for (let l = 0; l < layers; l++) {
    for (const m of MODULES) {
      rank[`model.layers.${l}.${m}`] = 4 + ((l * 7 + m.length) % 29);
      alpha[`model.layers.${l}.${m}`] = 16;
    }
  }
  return JSON.stringify({
    alpha_pattern: alpha, base_model_name_or_path: '../base', lora_alpha: 16, peft_type: 'LORA', r: 16, rank_pattern: rank,
    target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
  }, null, 2);
}

function analysisFor(layers: number): TransformerAnalysisResult {
  const modules: TransformerAnalysisResult['modules'] = [];
  const rankPattern: Record<string, number> = {};
  for (let l = 0; l < layers; l++) {
    for (const m of MODULES) {
      const name = `model.layers.${l}.${m}`;
      modules.push({ name, deltaRank: 1 + ((l + m.length) % 12), shape: [256, 256] });
      rankPattern[name] = 1 + ((l + m.length) % 12);
    }
  }
  return { rankPattern, modules };
}

function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => (state = (state * 1103515245 + 12345) % 2 ** 31) % n;
}

/** Edits a person makes in this file: rank digits, whole entries, r, target_modules, line breaks, broken JSON. */
function edit(text: string, rand: (n: number) => number): string {
  const at = (re: RegExp) => {
    const spots = [...text.matchAll(re)];
    return spots.length === 0 ? undefined : spots[rand(spots.length)]!;
  };
  switch (rand(8)) {
    case 0: case 1: { // a rank value: a digit typed or removed
      const m = at(/_proj": (\d+)/g);
      if (!m) return text;
      const end = m.index! + m[0].length;
      return rand(2) === 0 || m[1]!.length === 1 ? text.slice(0, end) + String(1 + rand(9)) + text.slice(end) : text.slice(0, end - 1) + text.slice(end);
    }
    case 2: { // remove an entry's line
      const m = at(/\n {4}"model\.layers\.\d+\.[a-z_.]+": \d+,/g);
      return m ? text.slice(0, m.index!) + text.slice(m.index! + m[0].length) : text;
    }
    case 3: { // a new key that matches a suffix, or nothing
      const m = at(/"rank_pattern": \{/g);
      if (!m) return text;
      const key = ['q_proj', 'layers\\\\.1\\\\..*', 'no_such_module', 'mlp.up_proj'][rand(4)];
      const end = m.index! + m[0].length;
      return `${text.slice(0, end)}\n    "${key}": ${1 + rand(300)},${text.slice(end)}`;
    }
    case 4: // r
      return text.replace(/"r": \d+/, `"r": ${1 + rand(200)}`);
    case 5: // target_modules
      return text.replace(/"target_modules": \[[^\]]*\]/, `"target_modules": ${JSON.stringify([['q_proj', 'v_proj'], ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], ['down_proj']][rand(3)])}`);
    case 6: { // a blank line (moves everything below)
      const i = text.indexOf('\n', rand(text.length));
      return i < 0 ? text : text.slice(0, i) + '\n' + text.slice(i);
    }
    default: { // a transient syntax error, or its repair
      if (text.includes('@@')) return text.replace('@@', '');
      const i = rand(text.length);
      return text.slice(0, i) + '@@' + text.slice(i);
    }
  }
}

function check(layers: number, seed: number, edits: number, withAnalysis: boolean): void {
  const base = baseInfo(layers);
  const analysis = withAnalysis ? analysisFor(layers) : undefined;
  const rand = random(seed);
  let text = adapterText(layers);
  for (let i = 0; i < edits; i++) {
    text = edit(text, rand);
    const cached = computeAdapterHints(text, { file: 'adapter_config.json', link, base, analysis });
    const fresh = computeAdapterHints(text, {
      file: 'adapter_config.json', link, base: baseInfo(layers),
      analysis: analysis ? { rankPattern: { ...analysis.rankPattern }, modules: analysis.modules.map((m) => ({ ...m })) } : undefined,
    });
    assert.deepEqual(materialize(cached), materialize(fresh), `${layers} layers, seed ${seed}, after edit ${i}`);
  }
}

describe('adapter_config.json hints with caches equal a from-scratch computation', () => {
  it('over random edit sequences, architecture only and with an analysis', () => {
    for (const seed of [1, 2, 3]) check(12, seed, 20, seed !== 2);
  });

  it('over random edit sequences on the 980-entry file', () => {
    check(140, 8, 2, true);
  });
});
