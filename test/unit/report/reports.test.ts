/**
 * Real reports of every kind (from the bundled examples and a constructed pair) validate against
 * schema/report.schema.json, and render as text and Markdown with model strings escaped.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import Ajv from 'ajv';
import { analyze } from '../../../src/engine/analysis';
import type { Report } from '../../../src/protocol';
import { renderJson } from '../../../src/report/json';
import { escapeMarkdown, fenced, renderMarkdown } from '../../../src/report/markdown';
import { renderText } from '../../../src/report/text';
import { EXAMPLES, testBackend } from '../engine/analysis/helpers';

const SCHEMA = path.resolve(__dirname, '..', '..', '..', '..', 'schema', 'report.schema.json');
const ex = (...p: string[]): string => path.join(EXAMPLES, ...p);

describe('Report JSON schema and renderers', () => {
  const reports: Record<string, Report> = {};
  before(async () => {
    const ctx = { backend: testBackend };
    reports.architecture = await analyze({ base: ex('llama-7b-config') }, ctx);
    reports.mlpArchitecture = await analyze({ base: ex('mlp-pair', 'frozen.safetensors'), targetDepth: 2 }, ctx);
    reports.fnn = await analyze({ base: ex('mlp-pair-close', 'frozen.safetensors'), target: ex('mlp-pair-close', 'target.safetensors') }, ctx);
    reports.transformer = await analyze({ base: ex('tiny-llama-base'), target: ex('tiny-llama-finetuned'), rank: 2, rankTarget: { kind: 'error', value: 0.5 } }, ctx);
    reports.adapter = await analyze({ base: ex('tiny-llama-adapter') }, ctx);
    reports.adapterWithBase = await analyze({ base: ex('tiny-llama-base'), target: ex('tiny-llama-adapter') }, ctx);
  });

  it('every real report validates (through JSON, as consumers read it)', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
    for (const [name, r] of Object.entries(reports)) {
      const parsed = JSON.parse(renderJson(r));
      assert.ok(validate(parsed), `${name}: ${ajv.errorsText(validate.errors)}`);
    }
    assert.deepEqual(new Set(Object.values(reports).map((r) => r.kind)), new Set(['architecture', 'fnn', 'transformer', 'adapter']));
  });

  it('the schema rejects a report missing its kind part or with a wrong field', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
    const broken = JSON.parse(renderJson(reports.fnn!));
    delete broken.fnn;
    assert.equal(validate(broken), false);
    const wrong = JSON.parse(renderJson(reports.transformer!));
    wrong.transformer.modules[0].deltaRank = -1;
    assert.equal(validate(wrong), false);
  });

  it('the error target: smallest rank with σ_{r+1} ≤ 0.5·σ₁ per module', () => {
    // q_proj σ = 1.076, 1.018, 0.9235, 0.7212: all above 0.538, so rank 4; down_proj (one value) 1.
    const t = reports.transformer!.transformer!;
    assert.deepEqual(t.target, { kind: 'error', value: 0.5 });
    assert.equal(t.rankPattern['model.layers.0.self_attn.q_proj'], 4);
    assert.equal(t.rankPattern['model.layers.1.mlp.down_proj'], 1);
    assert.ok(Math.abs(t.modules.find((m) => m.name === 'model.layers.0.self_attn.v_proj')!.atRank!.retainedEnergy - 1) < 1e-12);
  });

  it('text: summary facts and the key table of each kind', () => {
    const fnn = renderText(reports.fnn!);
    assert.match(fnn, /^kind {7}fnn/m);
    assert.match(fnn, /backend {4}cpu /);
    assert.match(fnn, /optimal +\[1 2\] \[3 4 5 6\] +3, 16 +4/);
    const tr = renderText(reports.transformer!, { rank: 2 });
    assert.match(tr, /model\.layers\.0\.self_attn\.q_proj +\[64, 64\] +4 /);
    assert.match(tr, /"model\.layers\.1\.mlp\.down_proj": 1/);
    assert.match(renderText(reports.architecture!), /backend +none \(no tensor read\)/);
    assert.match(renderText(reports.adapter!), /model\.layers\.0\.self_attn\.q_proj +8 +3 +5/);
  });

  it('Markdown: tables, the partition plan, rank_pattern in a json block', () => {
    const md = renderMarkdown(reports.fnn!);
    assert.match(md, /## Partition plan\n\n1\. target layer 1 ← frozen layers 1, 2/);
    assert.ok(md.includes('| optimal | \\[1 2\\] \\[3 4 5 6\\] | 3, 16 | 4 |'));
    const tmd = renderMarkdown(reports.transformer!);
    assert.match(tmd, /```json\n\{\n {2}"model\.layers\.0\.self_attn\.q_proj": 4,/);
  });

  it('Markdown escapes every string from a model file (HTML, links, tables, fences)', () => {
    const evil = structuredClone(reports.transformer!);
    const name = 'x<img src=x onerror=alert(1)>|[a](http://e.vil)`';
    evil.transformer!.modules[1]!.name = name;
    evil.transformer!.rankPattern = { [`${name}\`\`\`\n# injected`]: 3 };
    evil.notes.push('www.example.com **bold**');
    const md = renderMarkdown(evil);
    assert.ok(!md.includes('<img'), 'raw HTML');
    assert.ok(md.includes('x&lt;img src=x onerror=alert(1)&gt;\\|\\[a\\](http\\://e.vil)\\`'));
    assert.ok(md.includes('www\\.example.com \\*\\*bold\\*\\*'));
    // The rank_pattern fence is longer than any backtick run inside, so it cannot be closed early.
    const block = /(`{4,})json\n([\s\S]*?)\n\1/.exec(md);
    assert.ok(block, 'fenced with 4+ backticks');
    assert.ok(!/\n# injected/.test(md.replace(block[0], '')));
    assert.equal(escapeMarkdown('a|b'), 'a\\|b');
    assert.equal(fenced('json', 'no ticks'), '```json\nno ticks\n```');
  });

  it('JSON escapes line separators and bidi controls', () => {
    const r = structuredClone(reports.adapter!);
    r.notes.push('a\u2028b\u202ec');
    const text = renderJson(r);
    assert.ok(text.includes('a\\u2028b\\u202ec'));
    assert.deepEqual(JSON.parse(text).notes.at(-1), 'a\u2028b\u202ec');
  });
});
