import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterTerms, matchesTerms, searchText } from '../../../webview/safetensorsViewer/filter';
import { formatBytes, formatCompact, formatInteger, formatShape, formatShare } from '../../../webview/safetensorsViewer/format';
import { metadataValueText, renderMetadataValue } from '../../../webview/safetensorsViewer/render';

describe('safetensors viewer: numbers for people', () => {
  it('counts and compact parameter totals', () => {
    assert.equal(formatInteger(90432), '90,432');
    assert.deepEqual([999, 90432, 1_500_000, 6_738_415_616, 1.2e12].map(formatCompact), ['999', '90.4K', '1.50M', '6.74B', '1.20T']);
  });

  it('byte sizes in binary multiples', () => {
    assert.deepEqual([0, 1023, 1536, 363872, 10 * 1024 ** 3].map(formatBytes), ['0 B', '1023 B', '1.50 KB', '355 KB', '10.0 GB']);
  });

  it('shapes and shares', () => {
    assert.equal(formatShape([64, 128]), '64 × 128');
    assert.equal(formatShape([]), 'scalar');
    assert.equal(formatShare(1, 3), '33%');
    assert.equal(formatShare(1, 100_000), '<0.1%');
    assert.equal(formatShare(0, 0), '0%');
  });
});

describe('safetensors viewer: filter', () => {
  const tensor = { name: 'model.layers.3.self_attn.q_proj.weight', dtype: 'BF16', shape: [64, 128], parameters: 8192, bytes: 16384, role: 'q', analysable: true };
  it('every term must match name, dtype, shape or role', () => {
    const text = searchText(tensor);
    assert.ok(matchesTerms(text, filterTerms('layers.3 q_proj')));
    assert.ok(matchesTerms(text, filterTerms('bf16 64x128')));
    assert.ok(matchesTerms(text, filterTerms('  [64, 128]  ')));
    assert.ok(!matchesTerms(text, filterTerms('layers.3 k_proj')));
    assert.ok(matchesTerms(text, filterTerms('')));
    assert.ok(!matchesTerms(text, filterTerms('not-analysable')));
    assert.ok(matchesTerms(searchText({ ...tensor, dtype: 'I8', analysable: false }), filterTerms('not-analysable')));
  });
});

describe('safetensors viewer: metadata values', () => {
  it('pretty-prints JSON values and folds long ones', () => {
    assert.equal(metadataValueText('{"a":1,"b":[2]}'), '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}');
    assert.equal(metadataValueText('{not json'), '{not json');
    const long = 'x'.repeat(5000);
    const folded = renderMetadataValue(long, 3, false);
    assert.match(folded, /Show all \(5,000 characters\)/);
    assert.match(folded, /data-m="3"/);
    assert.ok(!renderMetadataValue(long, 3, true).includes('Show all'));
    assert.ok(renderMetadataValue(long, 3, true).includes(long));
  });
});
