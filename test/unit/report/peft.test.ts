/** PEFT export: adapter_config.json content from real reports of the bundled examples. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { analyze } from '../../../src/engine/analysis';
import { loadBackend } from '../../../src/engine/backend';
import type { Report } from '../../../src/protocol';
import { PeftExportError, peftExportFromReport, peftModuleKey, renderPeftConfig } from '../../../src/report/peft';

const EXAMPLES = path.resolve(__dirname, '..', '..', '..', '..', 'examples');

function analyzeExample(base: string, target?: string): Promise<Report> {
  return analyze(
    { base: path.join(EXAMPLES, base), ...(target ? { target: path.join(EXAMPLES, target) } : {}) },
    { backend: () => loadBackend('cpu') },
  );
}

describe('PEFT adapter_config.json export', () => {
  let finetune: Report;
  let fnn: Report;
  let adapter: Report;
  let architecture: Report;
  before(async () => {
    [finetune, fnn, adapter, architecture] = await Promise.all([
      analyzeExample('tiny-llama-base', 'tiny-llama-finetuned'),
      analyzeExample('mlp-pair-close/frozen.safetensors', 'mlp-pair-close/target.safetensors'),
      analyzeExample('tiny-llama-adapter'),
      analyzeExample('llama-7b-config'),
    ]);
  });

  it('fine-tune: the planted ranks, alpha = 2·r, only the changed modules targeted', () => {
    const { config, notes } = peftExportFromReport(finetune);
    // Planted: q_proj L0 rank 4, v_proj L0 2, o_proj L0 3, down_proj L1 1 (examples/README.md).
    assert.deepEqual(config.rank_pattern, {
      'layers.0.self_attn.o_proj': 3,
      'layers.0.self_attn.q_proj': 4,
      'layers.0.self_attn.v_proj': 2,
      'layers.1.mlp.down_proj': 1,
    });
    assert.deepEqual(config.alpha_pattern, {
      'layers.0.self_attn.o_proj': 6,
      'layers.0.self_attn.q_proj': 8,
      'layers.0.self_attn.v_proj': 4,
      'layers.1.mlp.down_proj': 2,
    });
    assert.equal(config.r, 4);
    assert.equal(config.lora_alpha, 8);
    assert.deepEqual(config.target_modules, Object.keys(config.rank_pattern));
    assert.equal(config.peft_type, 'LORA');
    assert.ok(notes.some((n) => /lora_alpha = 2·r/.test(n)));
  });

  it('FNN plan: the construction ranks per frozen layer of the optimal partition', () => {
    const { config } = peftExportFromReport(fnn);
    // Optimal partition [1 2] [3 4 5 6] with discrepancy ranks 3 and 16: block 1 takes ⌈3/2⌉ = 2 then
    // the remaining 1; block 2 takes ⌈16/4⌉ = 4 on each layer. Linear layers of nn.Sequential: 0, 2, …, 10.
    assert.deepEqual(config.rank_pattern, { 0: 2, 2: 1, 4: 4, 6: 4, 8: 4, 10: 4 });
    assert.equal(config.r, fnn.fnn!.best.requiredRank);
    assert.equal(config.r, 4);
    assert.deepEqual(config.target_modules, ['0', '2', '4', '6', '8', '10']);
  });

  it('adapter audit: each pair at its effective rank, alpha multiplier adjustable', () => {
    const { config } = peftExportFromReport(adapter, { alphaMultiplier: 1 });
    assert.deepEqual(config.rank_pattern, {
      'layers.0.self_attn.q_proj': 3,
      'layers.0.self_attn.v_proj': 2,
      'layers.1.self_attn.q_proj': 8,
      'layers.1.self_attn.v_proj': 1,
    });
    assert.deepEqual(config.alpha_pattern, config.rank_pattern);
    assert.equal(config.base_model_name_or_path, '../tiny-llama-base');
  });

  it('renders parseable JSON with only LoraConfig keys', () => {
    const parsed = JSON.parse(renderPeftConfig(finetune)) as Record<string, unknown>;
    const known = ['peft_type', 'task_type', 'base_model_name_or_path', 'r', 'lora_alpha', 'target_modules', 'rank_pattern', 'alpha_pattern',
      'lora_dropout', 'bias', 'fan_in_fan_out', 'use_rslora', 'use_dora', 'init_lora_weights', 'inference_mode', 'modules_to_save',
      'layers_to_transform', 'layers_pattern'];
    assert.deepEqual(Object.keys(parsed).sort(), [...known].sort());
  });

  it('refuses an architecture-only report and a report where nothing changed', () => {
    assert.throws(() => peftExportFromReport(architecture), PeftExportError);
    const unchanged: Report = structuredClone(finetune);
    unchanged.transformer!.rankPattern = Object.fromEntries(Object.keys(unchanged.transformer!.rankPattern).map((k) => [k, 0]));
    assert.throws(() => peftExportFromReport(unchanged), /no adapter is needed/);
    assert.throws(() => peftExportFromReport(finetune, { alphaMultiplier: 0 }), /alpha multiplier/);
  });

  it('module keys match in old and new PEFT: the causal-LM wrapper prefix is dropped, nothing else', () => {
    assert.equal(peftModuleKey('model.layers.0.self_attn.q_proj'), 'layers.0.self_attn.q_proj');
    assert.equal(peftModuleKey('transformer.h.0.attn.c_attn'), 'transformer.h.0.attn.c_attn');
    assert.equal(peftModuleKey('model.fc'), 'model.fc');
    assert.equal(peftModuleKey('4'), '4');
  });
});
