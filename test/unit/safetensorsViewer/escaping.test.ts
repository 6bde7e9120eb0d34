import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildViewerModel } from '../../../src/extension/safetensorsViewer/viewModel';
import type { CheckpointHeader } from '../../../src/formats/types';
import { renderErrorPage, renderGroupRow, renderModelPage, renderTensorRows } from '../../../webview/safetensorsViewer/render';
import { attrText, escapeHtml, textHtml, visibleText } from '../../../webview/safetensorsViewer/text';
import { refs } from './files';

const IMG = '<img src=x onerror=alert(1)>';
const BELL = 'layers.0.\u0007bell.weight';
const QUOTES = 'name "with" \'quotes\' & amp';
const BIDI = 'model.\u202eevil\u202c.weight';
const LINE_SEP = 'a\u2028b\u0000c\u009bd';

/** Tags our renderers emit; anything else in the output came from the file. */
const OUR_TAGS = new Set([
  'header', 'div', 'h1', 'h2', 'section', 'span', 'ul', 'li', 'p', 'a', 'code', 'table', 'colgroup', 'col', 'thead',
  'tbody', 'tr', 'th', 'td', 'vscode-button', 'vscode-badge', 'vscode-textfield',
]);

/** Every tag in `html` is one of ours, and no attribute is an event handler or an inline style. */
function assertOnlyOurMarkup(html: string): void {
  for (const match of html.matchAll(/<\/?([A-Za-z][A-Za-z0-9-]*)/g)) {
    assert.ok(OUR_TAGS.has(match[1].toLowerCase()), `unexpected tag <${match[1]}> in the output`);
  }
  for (const tag of html.matchAll(/<[A-Za-z][^>]*>/g)) {
    // Attribute names only: quoted values are text (and hold escaped file strings).
    const names = tag[0].replace(/"[^"]*"/g, '""');
    assert.doesNotMatch(names, /\son[a-z]+\s*=/i, `event handler attribute in ${tag[0]}`);
    assert.doesNotMatch(names, /\sstyle\s*=/i, `inline style in ${tag[0]}`);
  }
}

/** The attribute values of `html` never contain a raw quote (so none was broken out of). */
function attributeValues(html: string): string[] {
  return [...html.matchAll(/\s[a-z-]+="([^"]*)"/g)].map((m) => m[1]);
}

describe('safetensors viewer: untrusted text', () => {
  it('escapes markup and quotes', () => {
    assert.equal(escapeHtml(IMG), '&lt;img src=x onerror=alert(1)&gt;');
    assert.equal(escapeHtml(QUOTES), 'name &quot;with&quot; &#39;quotes&#39; &amp; amp');
    assert.equal(textHtml(IMG), '&lt;img src=x onerror=alert(1)&gt;');
  });

  it('shows control, bidi and separator characters as visible \\u escapes', () => {
    assert.equal(visibleText(BELL), 'layers.0.\\u0007bell.weight');
    assert.equal(visibleText(BIDI), 'model.\\u202eevil\\u202c.weight');
    assert.equal(visibleText(LINE_SEP), 'a\\u2028b\\u0000c\\u009bd');
    const html = textHtml(BELL);
    assert.equal(html, 'layers.0.<span class="ctl" title="invisible or control character U+0007">\\u0007</span>bell.weight');
    assert.ok(!textHtml(BIDI).includes('\u202e'), 'a raw right-to-left override must not reach the page');
  });

  it('keeps surrogate pairs, escapes lone surrogates', () => {
    assert.equal(visibleText('emoji \ud83d\ude00'), 'emoji \ud83d\ude00');
    assert.equal(visibleText('lone \ud83d.'), 'lone \\ud83d.');
    assert.equal(visibleText('lone \ude00.'), 'lone \\ude00.');
  });

  it('keeps line breaks and tabs only where asked (metadata values)', () => {
    assert.equal(textHtml('a\nb\tc'), 'a<span class="ctl" title="invisible or control character U+000A">\\u000a</span>b<span class="ctl" title="invisible or control character U+0009">\\u0009</span>c');
    assert.equal(textHtml('a\nb\tc', true), 'a\nb\tc');
  });

  it('attribute text: escaped, visible, capped', () => {
    assert.equal(attrText(`"><script>${BELL}`), '&quot;&gt;&lt;script&gt;layers.0.\\u0007bell.weight');
    assert.equal(attrText('x'.repeat(50), 10), 'xxxxxxxxxx…');
  });
});

describe('safetensors viewer: pages built from hostile headers', () => {
  const hostile = refs([
    { name: IMG, dtype: 'F32', shape: [2, 2] },
    { name: BELL, dtype: 'F32', shape: [3] },
    { name: QUOTES, dtype: 'I8', shape: [4] },
    { name: BIDI, dtype: 'F16', shape: [] },
    { name: `model.layers.1.</td></tr><script>alert(1)</script>`, dtype: 'F32', shape: [1] },
  ]);
  const header: CheckpointHeader = {
    source: '/x', files: ['/x'], tensors: hostile, totalBytes: hostile.reduce((s, t) => s + t.byteLength, 0),
    metadata: { [IMG]: `</td><script>alert("meta")</script>${'\u0007'}`, 'quo"te': '{"nested": "<b>json</b>"}' },
  };
  const model = buildViewerModel(header, { fileName: `${IMG}.safetensors`, filePath: `/tmp/"${IMG}".safetensors`, fileSize: 100, headerBytes: 50 });

  it('the whole page holds only our own markup', () => {
    const page = renderModelPage(model, `"><img src=x onerror=alert(2)>`);
    assertOnlyOurMarkup(page);
    for (const value of attributeValues(page)) assert.ok(!value.includes('<'), `raw < in attribute value ${value}`);
    assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the hostile name is shown as text');
    assert.ok(page.includes('&lt;/td&gt;&lt;script&gt;alert(&quot;meta&quot;)&lt;/script&gt;'), 'the metadata value is shown as text');
    assert.ok(page.includes('\\u0007'), 'the bell is visible');
  });

  it('every tensor row and group row holds only our own markup', () => {
    model.groups.forEach((group, g) => {
      const html = renderGroupRow(group, g, true) + renderTensorRows(group, g);
      assertOnlyOurMarkup(html);
      for (const t of group.tensors) assert.ok(!html.includes(t.name) || !/[<>"'&\u0000-\u001f\u202e]/.test(t.name), `raw name ${JSON.stringify(t.name)} in a row`);
    });
    const rows = model.groups.map((g, i) => renderTensorRows(g, i)).join('');
    assert.equal((rows.match(/class="tag warn"/g) ?? []).length, 1, 'the I8 tensor is marked not analysable');
    assert.ok(rows.includes('name &quot;with&quot; &#39;quotes&#39; &amp; amp'));
  });

  it('error pages escape the problem and the path', () => {
    const html = renderErrorPage(`/tmp/${IMG}`, `tensor "${IMG}\u0007": data_offsets run past the end`);
    assertOnlyOurMarkup(html);
    assert.ok(html.includes('tensor &quot;&lt;img src=x onerror=alert(1)&gt;<span class="ctl"'));
  });
});
