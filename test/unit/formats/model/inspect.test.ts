import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspectCommand } from '../../../../src/cli/commands/inspect';
import type { CliIO } from '../../../../src/cli/io';
import { EXAMPLES, filled, tempDir, writeJsonFile, writeModel } from './helpers';

/** Runs the command in-process and captures what it writes. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => void (out += t), err: (t) => void (err += t), errIsTty: false };
  const code = await inspectCommand(argv, io);
  return { code, out, err };
}

describe('lora-lens inspect', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('text: architecture, layers, widths and an aligned module table', async () => {
    const { code, out, err } = await run([path.join(EXAMPLES, 'tiny-llama-base')]);
    assert.equal(code, 0);
    assert.equal(err, '');
    assert.match(out, /^architecture +transformer \(llama\)$/m);
    assert.match(out, /^layers +2$/m);
    assert.match(out, /^heads +4 query, 2 key\/value \(grouped, 2 per group\), head width 16$/m);
    assert.match(out, /^parameters +90,432 in 21 modules$/m);
    const rows = out.split('\n').filter((l) => l.startsWith('model.layers.'));
    assert.equal(rows.length, 18);
    const q = rows.find((l) => l.startsWith('model.layers.0.self_attn.q_proj '));
    assert.match(q ?? '', /^model\.layers\.0\.self_attn\.q_proj +q +0 +\[64, 64\] +F32 +4,096$/);
    // Aligned: the dtype column starts at the same offset on every module row.
    const header = out.split('\n').find((l) => l.startsWith('module'));
    assert.ok(header);
    const dtypeAt = header.indexOf('dtype');
    for (const r of rows) assert.equal(r.slice(dtypeAt, dtypeAt + 3), 'F32', r);
  });

  it('text: a sequential MLP shows its widths', async () => {
    const { code, out } = await run([path.join(EXAMPLES, 'mlp-pair', 'frozen.safetensors')]);
    assert.equal(code, 0);
    assert.match(out, /^architecture +sequential MLP$/m);
    assert.match(out, /^layers +4 linear$/m);
    assert.match(out, /^widths +16 → 16 → 16 → 16 → 16$/m);
  });

  it('--json: one object, module names without .weight', async () => {
    const { code, out } = await run([path.join(EXAMPLES, 'tiny-llama-finetuned'), '--json']);
    assert.equal(code, 0);
    const summary = JSON.parse(out) as {
      kind: string; architecture: string; layers: number; parameters: number;
      transformer: { numKeyValueHeads: number };
      modules: { name: string; role: string; shape: number[]; dtype: string; parameters: number; layer?: number }[];
    };
    assert.equal(summary.kind, 'transformer');
    assert.equal(summary.architecture, 'llama');
    assert.equal(summary.layers, 2);
    assert.equal(summary.parameters, 90432);
    assert.equal(summary.transformer.numKeyValueHeads, 2);
    assert.ok(summary.modules.every((m) => !m.name.endsWith('.weight')));
    assert.deepEqual(summary.modules.find((m) => m.name === 'model.layers.1.mlp.down_proj'),
      { name: 'model.layers.1.mlp.down_proj', role: 'down', layer: 1, shape: [64, 128], dtype: 'F32', parameters: 8192, bias: false });
  });

  it('--json on the config-only example and on the MLP', async () => {
    const cfg = JSON.parse((await run([path.join(EXAMPLES, 'llama-7b-config'), '--json'])).out) as { parameters: number; modules: unknown[] };
    assert.equal(cfg.parameters, 6_738_415_616);
    assert.equal(cfg.modules.length, 291);
    const mlp = JSON.parse((await run(['--json', path.join(EXAMPLES, 'mlp-pair-close', 'frozen.safetensors')])).out) as
      { widths: number[]; sequentialLayers: string[] };
    assert.deepEqual(mlp.widths, [16, 16, 16, 16, 16, 16, 16]);
    assert.deepEqual(mlp.sequentialLayers, ['0', '2', '4', '6', '8', '10']);
  });

  it('an adapter folder: pairs with rank, alpha and scale', async () => {
    const { code, out } = await run([path.join(EXAMPLES, 'tiny-llama-adapter')]);
    assert.equal(code, 0);
    assert.match(out, /^r +8 \(rank_pattern: v_proj → 4\)$/m);
    assert.match(out, /^model\.layers\.0\.self_attn\.v_proj +4 +16 +4 +\[4, 64\] +\[32, 4\] +F32 +384$/m);
    const json = JSON.parse((await run([path.join(EXAMPLES, 'tiny-llama-adapter'), '--json'])).out) as { kind: string; pairs: { rank: number }[] };
    assert.equal(json.kind, 'lora-adapter');
    assert.deepEqual(json.pairs.map((p) => p.rank), [8, 4, 8, 4]);
  });

  it('names with control characters are escaped in text and JSON', async () => {
    const file = await writeModel(dir, 'evil.safetensors', [
      filled('0.weight', [4, 4]), filled('odd\u001b[31mname\nline', [2]), filled('bidi\u202eeman', [2]),
    ]);
    const { code, out } = await run([file]);
    assert.equal(code, 0);
    assert.ok(!out.includes('\u001b') && !out.includes('\u202e'));
    assert.match(out, /odd\\x1b\[31mname\\x0aline/);
    assert.match(out, /bidi\\u202eeman/);
    const json = (await run([file, '--json'])).out;
    assert.ok(!json.includes('\u001b') && !json.includes('\u202e'));
    const parsed = JSON.parse(json) as { modules: { name: string }[] };
    assert.ok(parsed.modules.some((m) => m.name === 'odd\u001b[31mname\nline'), 'JSON keeps the exact name');
  });

  it('a FormatError is one line on stderr and exit code 2', async () => {
    const bad = await writeJsonFile(dir, 'config.json', '{"model_type": "t5"}');
    const { code, out, err } = await run([bad]);
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.equal(err, `lora-lens: ${bad}: unsupported model_type 't5' (supported: llama, mistral, qwen2, qwen3, gemma, gemma2, phi3, gpt2, gpt_neox, bert, roberta, distilbert)\n`);
  });

  it('config/weights disagreement through inspect', async () => {
    const folder = path.join(dir, 'disagree');
    await writeJsonFile(folder, 'config.json', { model_type: 'gpt2', n_embd: 8, n_layer: 1, n_head: 2, vocab_size: 10 });
    await writeModel(folder, 'model.safetensors', [filled('h.0.attn.c_attn.weight', [16, 48]), filled('h.0.attn.c_proj.weight', [16, 16])]);
    const { code, err } = await run([folder]);
    assert.equal(code, 2);
    assert.match(err, /^lora-lens: .*config\.json: disagrees with the weights in model\.safetensors: h\.0\.attn\.c_attn is \[48, 16\]/);
    assert.equal(err.split('\n').length, 2, 'one line');
  });

  it('usage errors: no path, two paths, unknown option', async () => {
    for (const argv of [[], ['a', 'b'], ['--yaml', 'x']]) {
      const { code, err } = await run(argv);
      assert.equal(code, 2, argv.join(' '));
      assert.match(err, /^lora-lens inspect: .+\n$/);
    }
  });
});
