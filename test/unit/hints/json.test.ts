import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTextEdit, setTopLevelObjectProperty } from '../../../src/hints/json/jsonEdit';
import { findProperty, parseJsonDocument, toPlainValue, type JsonNode } from '../../../src/hints/json/jsonDocument';
import { readExample } from './helpers';

function root(text: string): Extract<JsonNode, { kind: 'object' }> {
  const parsed = parseJsonDocument(text);
  assert.ok(parsed.ok);
  assert.equal(parsed.root.kind, 'object');
  return parsed.root as Extract<JsonNode, { kind: 'object' }>;
}

describe('parseJsonDocument', () => {
  it('gives the same value as JSON.parse and exact spans', () => {
    const text = '{"a": [1, -2.5e3, "x\\"y"], "b": {"c": null, "d": true}}';
    const parsed = parseJsonDocument(text);
    assert.ok(parsed.ok);
    assert.deepEqual(toPlainValue(parsed.root), JSON.parse(text));
    const a = findProperty(parsed.root, 'a')!;
    assert.equal(text.slice(a.keySpan.offset, a.keySpan.end), '"a"');
    assert.equal(text.slice(a.value.offset, a.value.end), '[1, -2.5e3, "x\\"y"]');
  });

  it('accepts comments and trailing commas (VS Code JSON with comments), rejects broken JSON with an offset', () => {
    const parsed = parseJsonDocument('// c\n{"r": 8, /* x */ "s": [1,],}\n');
    assert.ok(parsed.ok);
    assert.deepEqual(toPlainValue(parsed.root), { r: 8, s: [1] });
    const broken = parseJsonDocument('{"r": 8 "s": 1}');
    assert.equal(broken.ok, false);
    assert.equal(!broken.ok && broken.offset, 8);
    assert.equal(parseJsonDocument('{"r": 01}').ok, false);
    assert.equal(parseJsonDocument('"unterminated').ok, false);
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const parsed = parseJsonDocument(deep);
    assert.equal(parsed.ok, false);
  });

  it('keeps "__proto__" as a plain key', () => {
    const parsed = parseJsonDocument('{"__proto__": {"polluted": 1}}');
    assert.ok(parsed.ok);
    const value = toPlainValue(parsed.root) as Record<string, unknown>;
    assert.deepEqual(Object.keys(value), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('setTopLevelObjectProperty (the quick fix edit)', () => {
  const adapter = readExample('tiny-llama-adapter/adapter_config.json');

  it('replaces only the rank_pattern value of the example, keeping the file layout', () => {
    const edit = setTopLevelObjectProperty(adapter, root(adapter), 'rank_pattern', { q_proj: 4, v_proj: 2 });
    const after = applyTextEdit(adapter, edit);
    assert.equal(edit.newText, '{\n    "q_proj": 4,\n    "v_proj": 2\n  }');
    assert.deepEqual(edit.range, { start: { line: 14, character: 18 }, end: { line: 16, character: 3 } });
    const before = JSON.parse(adapter) as Record<string, unknown>;
    const parsed = JSON.parse(after) as Record<string, unknown>;
    assert.deepEqual(parsed.rank_pattern, { q_proj: 4, v_proj: 2 });
    assert.deepEqual({ ...parsed, rank_pattern: before.rank_pattern }, before);
    // Every line outside the rank_pattern block is byte-identical.
    const keep = (t: string) => t.split('\n').filter((_, i, all) => i < 14 || i >= all.length - (adapter.split('\n').length - 17));
    assert.deepEqual(keep(after), keep(adapter));
  });

  it('inserts the property in alphabetical place when absent (PEFT sorts keys), CRLF and tabs preserved', () => {
    const text = '{\r\n\t"lora_alpha": 16,\r\n\t"r": 8,\r\n\t"target_modules": ["q_proj"]\r\n}\r\n';
    const edit = setTopLevelObjectProperty(text, root(text), 'rank_pattern', { q_proj: 4 });
    const after = applyTextEdit(text, edit);
    assert.equal(after, '{\r\n\t"lora_alpha": 16,\r\n\t"r": 8,\r\n\t"rank_pattern": {\r\n\t\t"q_proj": 4\r\n\t},\r\n\t"target_modules": ["q_proj"]\r\n}\r\n');
    assert.deepEqual(JSON.parse(after), { lora_alpha: 16, r: 8, rank_pattern: { q_proj: 4 }, target_modules: ['q_proj'] });
  });

  it('inserts at the end of unsorted keys, into an empty object, and on one line for one-line files', () => {
    const unsorted = '{\n  "r": 8,\n  "lora_alpha": 16\n}';
    assert.equal(applyTextEdit(unsorted, setTopLevelObjectProperty(unsorted, root(unsorted), 'rank_pattern', { a: 1 })),
      '{\n  "r": 8,\n  "lora_alpha": 16,\n  "rank_pattern": {\n    "a": 1\n  }\n}');
    assert.equal(applyTextEdit('{}', setTopLevelObjectProperty('{}', root('{}'), 'rank_pattern', { a: 1 })), '{\n  "rank_pattern": {\n    "a": 1\n  }\n}');
    const oneLine = '{"r": 8, "target_modules": ["q"]}';
    assert.equal(applyTextEdit(oneLine, setTopLevelObjectProperty(oneLine, root(oneLine), 'rank_pattern', { q: 2 })),
      '{"r": 8, "rank_pattern": {"q": 2}, "target_modules": ["q"]}');
    const first = '{"r": 8}';
    assert.equal(applyTextEdit(first, setTopLevelObjectProperty(first, root(first), 'a', {})), '{"a": {}, "r": 8}');
  });
});
