/** `lora-lens analyze` in-process: formats, --out, and one-line errors with exit code 2. */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { EXAMPLES, tempDir } from '../engine/analysis/helpers';

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(['analyze', ...args], { out: (t) => (out += t), err: (t) => (err += t), errIsTty: false });
  return { code, out, err };
}
const ex = (...p: string[]): string => path.join(EXAMPLES, ...p);

describe('lora-lens analyze', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('cli');
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('--format json prints the Report; no progress on a non-terminal stderr', async () => {
    const r = await cli(ex('mlp-pair', 'frozen.safetensors'), '--target', ex('mlp-pair', 'target.safetensors'), '--backend', 'cpu', '--format', 'json');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const report = JSON.parse(r.out);
    assert.equal(report.kind, 'fnn');
    assert.equal(report.backend.name, 'cpu');
    assert.equal(report.fnn.uniform.requiredRank, 8);
  });

  it('--out writes the file, --format md', async () => {
    const out = path.join(dir, 'review.md');
    const r = await cli(ex('tiny-llama-adapter'), '--format', 'md', '--out', out, '--backend', 'cpu');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '');
    assert.match(await fs.readFile(out, 'utf8'), /^# LoRA Lens report: PEFT LoRA adapter/);
  });

  it('refuses an --out that is one of the inputs (the input stays untouched)', async () => {
    const file = ex('mlp-pair', 'target.safetensors');
    const before = await fs.readFile(file);
    const r = await cli(ex('mlp-pair', 'frozen.safetensors'), '--target', file, '--out', file);
    assert.equal(r.code, 2);
    assert.match(r.err, /would overwrite the input/);
    assert.deepEqual(await fs.readFile(file), before);
    const inFolder = await cli(ex('tiny-llama-base'), '--out', ex('tiny-llama-base', 'config.json'));
    assert.equal(inFolder.code, 2);
  });

  it('mismatched models: one line on stderr, exit 2', async () => {
    const r = await cli(ex('tiny-llama-base'), '--target', ex('mlp-pair', 'frozen.safetensors'));
    assert.equal(r.code, 2);
    assert.match(r.err, /^lora-lens: base .* are not the same architecture: kind: transformer vs mlp/);
    assert.equal(r.err.trim().split('\n').length, 1);
  });

  it('bad options: exit 2', async () => {
    assert.equal((await cli(ex('tiny-llama-base'), '--energy', '0.9', '--error', '0.1')).code, 2);
    assert.equal((await cli(ex('tiny-llama-base'), '--format', 'pdf')).code, 2);
    assert.equal((await cli(ex('tiny-llama-base'), '--tolerance', 'abc')).code, 2);
    assert.equal((await cli()).code, 2);
    const missing = await cli(path.join(dir, 'nothing-here'));
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nothing-here/);
  });

  it('text output for an architecture-only config', async () => {
    const r = await cli(ex('llama-7b-config'), '--format', 'text');
    assert.equal(r.code, 0);
    assert.match(r.out, /Worst-case LoRA rank ⌈D\/2⌉ = 2048/);
  });
});
