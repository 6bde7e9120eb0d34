/** The HTML design review: self-contained, escaped, with the panel's plots inlined as SVG, same content as Markdown. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { analyze } from '../../../src/engine/analysis';
import { loadBackend } from '../../../src/engine/backend';
import type { Report } from '../../../src/protocol';
import { escapeHtml, renderHtmlReport, sanitizeSvg } from '../../../src/report/html';
import { reportSections } from '../../../src/report/text';

const EXAMPLES = path.resolve(__dirname, '..', '..', '..', '..', 'examples');
const HOSTILE = '<img src=x onerror=alert(1)>';

function analyzeExample(base: string, target?: string): Promise<Report> {
  return analyze(
    { base: path.join(EXAMPLES, base), ...(target ? { target: path.join(EXAMPLES, target) } : {}) },
    { backend: () => loadBackend('cpu') },
  );
}

/** Every way a page could reach the network or run code. */
function assertSelfContained(html: string): void {
  assert.doesNotMatch(html, /https?:\/\//i, 'no URL');
  assert.doesNotMatch(html, /<script/i, 'no script');
  assert.doesNotMatch(html, /<link/i, 'no external stylesheet');
  assert.doesNotMatch(html, /<iframe|<object|<embed|@import|url\((?!#)/i, 'no embedded or imported resource');
  // Text may mention "onerror=" (escaped); markup must not carry a handler. Every '<' of text is escaped,
  // so each '<tag …>' here is real markup.
  for (const tag of html.match(/<[a-zA-Z][^>]*>/g) ?? []) assert.doesNotMatch(tag.replace(/"[^"]*"/g, '""'), /\son[a-z]+\s*=/i, `event handler in ${tag}`);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
}

describe('HTML report', () => {
  let fnn: Report;
  let adapter: Report;
  let architecture: Report;
  before(async () => {
    [fnn, adapter, architecture] = await Promise.all([
      analyzeExample('mlp-pair-close/frozen.safetensors', 'mlp-pair-close/target.safetensors'),
      analyzeExample('tiny-llama-adapter'),
      analyzeExample('llama-7b-config'),
    ]);
  });

  it('inlines the partition plan and block plots as SVG and stays self-contained', () => {
    const html = renderHtmlReport(fnn);
    assertSelfContained(html);
    // Partition plan + (spectrum, error curve) per optimal block.
    const svgs = html.match(/<svg\b/g) ?? [];
    assert.equal(svgs.length, 1 + 2 * fnn.fnn!.best.partition.length);
    // Its tooltips (SVG <title>) name the blocks of the uniform [1 2 3] [4 5 6] and optimal [1 2] [3 4 5 6] plans.
    assert.match(html, /<title>frozen layer 3 → target layer 1<\/title>/);
    assert.match(html, /<title>frozen layer 3 → target layer 2<\/title>/);
    assert.match(html, /<figcaption>Partition plan<\/figcaption>/);
    // The plan from the example: uniform needs 6, the optimal [1 2] [3 4 5 6] needs 4.
    assert.match(html, /<li>target layer 1 ← frozen layers 1, 2 \(discrepancy rank 3, needs rank ⌈3\/2⌉\)<\/li>/);
    assert.match(html, /<td class="">optimal<\/td><td class="">\[1 2\] \[3 4 5 6\]<\/td><td class="">3, 16<\/td><td class="n">4<\/td>/);
  });

  it('shows the same facts, lines and table cells as the Markdown report at the budget', () => {
    for (const report of [fnn, adapter, architecture]) {
      const html = renderHtmlReport(report, { budget: 2 });
      const { lines, tables } = reportSections(report, 2);
      for (const line of lines) assert.ok(html.includes(escapeHtml(line)), `line missing: ${line}`);
      for (const table of tables) {
        assert.ok(html.includes(`<h2>${escapeHtml(table.title)}</h2>`), `table missing: ${table.title}`);
        for (const row of table.rows) for (const cell of row) assert.ok(html.includes(`>${escapeHtml(cell)}</td>`), `cell missing: ${cell}`);
      }
    }
  });

  it('draws one spectrum per adapter pair, marking the effective rank', () => {
    const html = renderHtmlReport(adapter);
    assertSelfContained(html);
    assert.equal((html.match(/<svg\b/g) ?? []).length, adapter.adapter!.pairs.length);
    assert.match(html, /model\.layers\.0\.self_attn\.q_proj: singular values of scale·B·A \(configured rank 8, effective 3\)/);
    assert.match(html, /<h2>Effective rank_pattern<\/h2>/);
  });

  it('escapes hostile module names, paths and notes everywhere, including inside the plots', () => {
    const hostile: Report = structuredClone(adapter);
    hostile.models.base.source = `/models/${HOSTILE}`;
    hostile.notes.push(`note ${HOSTILE}`);
    hostile.adapter!.pairs[0].baseModule = `layers.0.${HOSTILE}`;
    hostile.adapter!.effectiveRankPattern = { [`layers.0.${HOSTILE}`]: 3 };
    const html = renderHtmlReport(hostile);
    assertSelfContained(html);
    assert.ok(!html.includes('<img'), 'raw <img> in the page');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'escaped text present');
  });

  it('escapes hostile strings in an architecture report (no plots) and in the title', () => {
    const hostile: Report = structuredClone(architecture);
    hostile.architecture!.modules[0].name = HOSTILE;
    hostile.models.base.source = `"${HOSTILE}`;
    const html = renderHtmlReport(hostile, { figures: false });
    assertSelfContained(html);
    assert.ok(!html.includes('<img'));
    assert.match(html, /<title>LoRA Lens: &quot;&lt;img/);
    assert.equal((html.match(/<svg\b/g) ?? []).length, 0);
  });

  it('turns a failing plot into a caption instead of failing the report', () => {
    const html = renderHtmlReport(fnn, { figures: () => { throw new Error(`boom ${HOSTILE}`); } });
    assert.match(html, /The plots could not be drawn: boom &lt;img/);
  });

  it('sanitizeSvg drops scripts, foreignObject, handlers and external links, and escapes text in <title>', () => {
    const dirty = '<svg onload="x()"><script>alert(1)</script><foreignObject><div></div></foreignObject><a href="http://e.x"><use href="#ok"></use></a><title>a &lt;b&gt; "c"</title></svg>';
    assert.equal(sanitizeSvg(dirty), '<svg><a><use href="#ok"></use></a><title>a &lt;b&gt; &quot;c&quot;</title></svg>');
  });
});
