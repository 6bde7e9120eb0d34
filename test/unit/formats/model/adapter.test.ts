import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  checkAdapterAgainstModel, isTargetModule, loadAdapter, loraScale, matchPatternKey, parseAdapterConfig, rankForModule,
} from '../../../../src/formats/adapter';
import { loadModel } from '../../../../src/formats/loadModel';
import { FormatError } from '../../../../src/formats/types';
import { EXAMPLES, filled, tempDir, writeJsonFile, writeModel } from './helpers';

const Q0 = 'model.layers.0.self_attn.q_proj';

describe('loadAdapter on the bundled tiny-llama-adapter', () => {
  it('reads config, pairs and scales', async () => {
    const a = await loadAdapter(path.join(EXAMPLES, 'tiny-llama-adapter'));
    assert.equal(a.r, 8);
    assert.equal(a.loraAlpha, 16);
    assert.deepEqual(a.targetModules, ['q_proj', 'v_proj']);
    assert.deepEqual(a.rankPattern, { v_proj: 4 });
    assert.equal(a.baseModelNameOrPath, '../tiny-llama-base');
    assert.equal(a.useRslora, false);
    assert.deepEqual(a.pairs.map((p) => [p.baseModule, p.rank, p.scale]), [
      ['model.layers.0.self_attn.q_proj', 8, 2],
      ['model.layers.0.self_attn.v_proj', 4, 4],
      ['model.layers.1.self_attn.q_proj', 8, 2],
      ['model.layers.1.self_attn.v_proj', 4, 4],
    ]);
    const v = a.pairs[1];
    assert.deepEqual(v.a.shape, [4, 64]);
    assert.deepEqual(v.b.shape, [32, 4]);
    assert.ok(a.weightsFile?.endsWith('adapter_model.safetensors'));
  });

  it('the same through adapter_config.json, and it fits its base model', async () => {
    const a = await loadAdapter(path.join(EXAMPLES, 'tiny-llama-adapter', 'adapter_config.json'));
    assert.equal(a.pairs.length, 4);
    const base = await loadModel(path.join(EXAMPLES, 'tiny-llama-base'));
    checkAdapterAgainstModel(a, base);
    const mlp = await loadModel(path.join(EXAMPLES, 'mlp-pair', 'frozen.safetensors'));
    assert.throws(() => checkAdapterAgainstModel(a, mlp), /adapts model\.layers\.0\.self_attn\.q_proj, which the base model/);
  });
});

describe('PEFT matching rules', () => {
  it('rank_pattern: key equals the name, is a dotted suffix, or a regex over a suffix', () => {
    const cfg = { r: 8, rankPattern: { v_proj: 4, 'layers\\.1\\..*q_proj': 2, [Q0]: 6 } };
    assert.equal(rankForModule(cfg, Q0), 6, 'exact full name');
    assert.equal(rankForModule(cfg, 'model.layers.3.self_attn.v_proj'), 4, 'suffix after a dot');
    assert.equal(rankForModule(cfg, 'model.layers.1.self_attn.q_proj'), 2, 'regex');
    assert.equal(rankForModule(cfg, 'model.layers.3.self_attn.q_proj'), 8, 'no match: r');
    assert.equal(rankForModule(cfg, 'model.layers.3.self_attn.xv_proj'), 8, 'a suffix must start at a dot');
  });

  it('the first matching key in file order wins', () => {
    assert.equal(matchPatternKey(['proj', 'q_proj'], Q0), 'q_proj', "'proj' is not a dotted suffix, so the second key wins");
    assert.equal(matchPatternKey(['proj'], Q0), undefined);
    assert.equal(matchPatternKey(['.*_proj', 'q_proj'], Q0), '.*_proj');
    assert.equal(matchPatternKey(['q_proj', '.*_proj'], Q0), 'q_proj');
  });

  it('target_modules as a list: equal or ends with .name; layers_to_transform filters', () => {
    const cfg = { targetModules: ['q_proj', 'v_proj'], layersToTransform: null };
    assert.equal(isTargetModule(cfg, Q0), true);
    assert.equal(isTargetModule(cfg, 'q_proj'), true);
    assert.equal(isTargetModule(cfg, 'model.layers.0.self_attn.k_proj'), false);
    assert.equal(isTargetModule(cfg, 'model.layers.0.self_attn.xq_proj'), false);
    const only1 = { targetModules: ['q_proj'], layersToTransform: [1] };
    assert.equal(isTargetModule(only1, Q0), false);
    assert.equal(isTargetModule(only1, 'model.layers.1.self_attn.q_proj'), true);
  });

  it('target_modules as a string: a full regex match', () => {
    const cfg = { targetModules: '.*layers\\.0\\..*(q|v)_proj', layersToTransform: null };
    assert.equal(isTargetModule(cfg, Q0), true);
    assert.equal(isTargetModule(cfg, 'model.layers.0.self_attn.v_proj'), true);
    assert.equal(isTargetModule(cfg, 'model.layers.1.self_attn.q_proj'), false);
    assert.equal(isTargetModule({ targetModules: 'q_proj', layersToTransform: null }, Q0), false, 'fullmatch, not search');
    assert.equal(isTargetModule({ targetModules: 'all-linear', layersToTransform: null }, Q0), true);
    assert.equal(isTargetModule({ targetModules: 'all-linear', layersToTransform: null }, 'lm_head'), false);
  });

  it('scale alpha/r, or alpha/√r with rsLoRA', () => {
    assert.equal(loraScale(16, 8, false), 2);
    assert.equal(loraScale(16, 4, true), 8);
    assert.equal(loraScale(16, 8, true), 16 / Math.sqrt(8));
  });

  it('config parsing: defaults, layers_to_transform as int, alpha_pattern', () => {
    const c = parseAdapterConfig(JSON.stringify({ target_modules: 'x', layers_to_transform: 3, alpha_pattern: { q_proj: 32 } }), 'a.json');
    assert.equal(c.r, 8);
    assert.equal(c.loraAlpha, 8);
    assert.deepEqual(c.layersToTransform, [3]);
    assert.deepEqual(c.alphaPattern, { q_proj: 32 });
    assert.equal(c.baseModelNameOrPath, null);
  });

  it('config errors name the file and field', () => {
    const bad: [object, RegExp][] = [
      [{ r: 'eight' }, /'r' must be a number/],
      [{ r: 0 }, /'r' must be a positive whole number/],
      [{ lora_alpha: -1 }, /'lora_alpha' must be positive/],
      [{ target_modules: 5 }, /'target_modules' must be a list/],
      [{ target_modules: ['q', 3] }, /'target_modules\[1\]'/],
      [{ rank_pattern: { v_proj: 2.5 } }, /'rank_pattern\.v_proj'/],
      [{ rank_pattern: { '(unclosed': 2 } }, /not a valid regular expression/],
      [{ target_modules: '(a+)+$' }, /nests quantifiers/],
      [{ layers_to_transform: [-1] }, /'layers_to_transform\[0\]'/],
      [{ use_rslora: 'yes' }, /'use_rslora'/],
      [{ peft_type: 'IA3' }, /peft_type .*IA3.* is not supported/],
    ];
    for (const [cfg, re] of bad) {
      assert.throws(() => parseAdapterConfig(JSON.stringify(cfg), 'x/adapter_config.json'), (e: unknown) => {
        assert.ok(e instanceof FormatError);
        assert.equal(e.file, 'x/adapter_config.json');
        assert.match(e.problem, re);
        return true;
      }, JSON.stringify(cfg));
    }
  });
});

describe('adapter weights on disk', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  const config = { r: 4, lora_alpha: 8, target_modules: ['q_proj', 'v_proj'], rank_pattern: { v_proj: 2 }, peft_type: 'LORA' };

  async function adapterFolder(name: string, cfg: object, tensors: Parameters<typeof writeModel>[2]): Promise<string> {
    const folder = path.join(dir, name);
    await writeJsonFile(folder, 'adapter_config.json', cfg);
    await writeModel(folder, 'adapter_model.safetensors', tensors);
    return folder;
  }

  it('.default. adapter names and rsLoRA scales', async () => {
    const folder = await adapterFolder('default-names', { ...config, use_rslora: true }, [
      filled(`base_model.model.${Q0}.lora_A.default.weight`, [4, 16]),
      filled(`base_model.model.${Q0}.lora_B.default.weight`, [24, 4]),
      filled('base_model.model.model.layers.0.self_attn.v_proj.lora_A.default.weight', [2, 16]),
      filled('base_model.model.model.layers.0.self_attn.v_proj.lora_B.default.weight', [8, 2]),
      filled('base_model.model.score.weight', [3, 16]),
    ]);
    const a = await loadAdapter(folder);
    assert.deepEqual(a.pairs.map((p) => [p.baseModule, p.rank, p.alpha, p.scale]), [
      [Q0, 4, 8, 8 / 2],
      ['model.layers.0.self_attn.v_proj', 2, 8, 8 / Math.sqrt(2)],
    ]);
  });

  it('lora_A without lora_B names the module', async () => {
    const folder = await adapterFolder('a-only', config, [filled(`base_model.model.${Q0}.lora_A.weight`, [4, 16])]);
    await assert.rejects(loadAdapter(folder), (e: unknown) => {
      assert.ok(e instanceof FormatError);
      assert.ok(e.file.endsWith('adapter_model.safetensors'));
      assert.match(e.problem, /module model\.layers\.0\.self_attn\.q_proj has lora_A but no lora_B/);
      return true;
    });
  });

  it('A [r, in] and B [out, r] with different r', async () => {
    const folder = await adapterFolder('mismatch', config, [
      filled(`base_model.model.${Q0}.lora_A.weight`, [4, 16]),
      filled(`base_model.model.${Q0}.lora_B.weight`, [16, 3]),
    ]);
    await assert.rejects(loadAdapter(folder), /q_proj: lora_A is \[4, 16\] .* but lora_B is \[16, 3\].*ranks 4 and 3 differ/);
  });

  it('tensor rank that disagrees with rank_pattern names the pattern', async () => {
    const folder = await adapterFolder('rank-vs-pattern', config, [
      filled('base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight', [4, 16]),
      filled('base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight', [8, 4]),
    ]);
    await assert.rejects(loadAdapter(folder), /v_proj: the tensors have rank 4 but adapter_config\.json gives rank_pattern 'v_proj' = 2/);
  });

  it('two adapter names in one file', async () => {
    const folder = await adapterFolder('two-names', config, [
      filled(`base_model.model.${Q0}.lora_A.one.weight`, [4, 16]),
      filled(`base_model.model.${Q0}.lora_B.one.weight`, [16, 4]),
      filled('base_model.model.model.layers.1.self_attn.q_proj.lora_A.two.weight', [4, 16]),
      filled('base_model.model.model.layers.1.self_attn.q_proj.lora_B.two.weight', [16, 4]),
    ]);
    await assert.rejects(loadAdapter(folder), /several adapters \(one, two\)/);
  });

  it('a config without weights has no pairs; a folder without config is an error', async () => {
    const folder = path.join(dir, 'config-only');
    await writeJsonFile(folder, 'adapter_config.json', config);
    const a = await loadAdapter(folder);
    assert.deepEqual(a.pairs, []);
    assert.equal(a.weightsFile, undefined);
    const empty = path.join(dir, 'no-config');
    await fs.mkdir(empty);
    await assert.rejects(loadAdapter(empty), (e: unknown) => e instanceof FormatError && e.file === empty && /no adapter_config\.json/.test(e.problem));
  });
});
