/** The shared figures render in Node through linkedom, as the HTML report draws them. */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

// linkedom's package types are ESM-only (TS1479 under module node16); its CommonJS build is what runs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseHTML } = require('linkedom') as { parseHTML(markup: string): { document: unknown } };
import { errorVsRankPlot, paramsVsErrorPlot, partitionPlanFigure, spectrumPlot, type PlotDocument, type PlotSvg } from '../../../../src/report/plots';

function freshDocument(): PlotDocument {
  return parseHTML('<!doctype html><html><body></body></html>').document as PlotDocument;
}

interface El {
  tagName: string;
  outerHTML: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}
const el = (svg: PlotSvg) => svg as unknown as El;
const count = (svg: PlotSvg, selector: string) => el(svg).querySelectorAll(selector).length;
const texts = (svg: PlotSvg) => el(svg).textContent ?? '';

/** A delta of rank 4 with float32 noise below, as a planted fine-tune leaves it. */
const sigma = [1.08, 1.02, 0.92, 0.72, 4e-7, 3e-7, 2e-7, 1e-7];

describe('spectrumPlot', () => {
  it('draws one dot per positive σ, split at the budget, on a log y scale with the tolerance marked', () => {
    const svg = spectrumPlot([...sigma, 0], { tolerance: 1e-5, budget: 3 }, freshDocument());
    assert.equal(el(svg).tagName.toLowerCase(), 'svg');
    assert.equal(count(svg, 'g.ll-kept circle'), 3);
    assert.equal(count(svg, 'g.ll-dropped circle'), 5, 'the exact zero is left out of the log axis');
    assert.equal(count(svg, 'g.ll-spectrum path'), 1);
    assert.equal(count(svg, 'g.ll-tolerance line'), 1);
    assert.equal(count(svg, 'g.ll-budget line'), 1);
    // Log scale: ticks are powers of ten spanning 1e-7 … 1.
    const ticks = texts(svg);
    assert.match(ticks, /1\.0e−7/);
    assert.match(ticks, /0\.01/);
    assert.match(texts(svg), /1 exact zero not shown/);
    assert.match(el(svg).outerHTML, /var\(--vscode-charts-blue, #3794ff\)/, 'theme colour with a fallback');
  });

  it('says so when every value is zero', () => {
    const svg = spectrumPlot([0, 0, 0], {}, freshDocument());
    assert.match(texts(svg), /all 3 singular values are 0/);
  });

  it('keeps a hostile name inert: serialised and parsed again, it is still one attribute value', () => {
    const hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    const svg = spectrumPlot(sigma, { title: hostile }, freshDocument());
    const again = parseHTML(`<!doctype html><html><body>${el(svg).outerHTML}</body></html>`).document as { querySelectorAll(s: string): ArrayLike<El> };
    assert.equal(again.querySelectorAll('script').length, 0);
    assert.equal(again.querySelectorAll('img').length, 0);
    assert.equal(again.querySelectorAll('svg')[0].getAttribute('aria-label'), hostile);
  });
});

describe('errorVsRankPlot', () => {
  const curve = [0, 1, 2, 3, 4, 5].map((rank) => ({
    rank,
    spectral: rank < sigma.length ? sigma[rank] : 0,
    frobenius: Math.sqrt(sigma.slice(rank).reduce((a, s) => a + s * s, 0)),
  }));

  it('draws both norms, the threshold at the required rank and the budget point', () => {
    const svg = errorVsRankPlot(curve, { requiredRank: 4, budget: 2, requiredLabel: 'required r = 4 (exact)' }, freshDocument());
    assert.equal(count(svg, 'g.ll-spectral path'), 1);
    assert.equal(count(svg, 'g.ll-frobenius path'), 1);
    assert.equal(count(svg, 'g.ll-spectral-points circle'), curve.length);
    assert.equal(count(svg, 'g.ll-threshold line'), 1);
    assert.equal(count(svg, 'g.ll-budget-point circle'), 1);
    assert.match(texts(svg), /required r = 4 \(exact\)/);
    assert.match(texts(svg), /r = 2: 0\.92/);
  });

  it('places the threshold rule at the required rank on the x scale', () => {
    const svg = errorVsRankPlot(curve, { requiredRank: 4 }, freshDocument());
    const rule = el(svg).querySelectorAll('g.ll-threshold line')[0];
    const zeroTick = el(svg).querySelectorAll('g[aria-label="x-axis tick"] path');
    assert.ok(zeroTick.length >= 6);
    // x(0) … x(5) evenly spaced: the rule sits at 4/5 of the way.
    const x = (p: El) => Number(/translate\(([\d.]+)/.exec(p.getAttribute('transform') ?? '')?.[1]);
    const x0 = x(zeroTick[0]);
    const x5 = x(zeroTick[zeroTick.length - 1]);
    const ruleX = Number(rule.getAttribute('x1'));
    assert.ok(Math.abs(ruleX - (x0 + 0.8 * (x5 - x0))) < 1, `rule at ${ruleX}, expected ${x0 + 0.8 * (x5 - x0)}`);
  });
});

describe('paramsVsErrorPlot', () => {
  it('draws every module, highlights the selected one, and uses a log x when counts span decades', () => {
    const points = Array.from({ length: 12 }, (_, i) => ({
      label: `module ${i}`, parameters: 100 * 10 ** (i % 4), error: i / 12, highlight: i === 5, fullUpdateCheaper: i === 7,
    }));
    const svg = paramsVsErrorPlot(points, {}, freshDocument());
    assert.equal(count(svg, 'g.ll-points circle'), 11);
    assert.equal(count(svg, 'g.ll-highlight circle'), 1);
    assert.match(texts(svg), /10k/);
    assert.match(el(svg).outerHTML, /full update is cheaper/);
  });

  it('joins one module across ranks and marks the full update', () => {
    const points = [0, 1, 2, 3].map((r) => ({ label: `rank ${r}`, parameters: r * 128, error: 1 - r / 4 }));
    const svg = paramsVsErrorPlot(points, { connect: true, fullUpdateParameters: 4096 }, freshDocument());
    assert.equal(count(svg, 'g.ll-frontier path'), 1);
    assert.equal(count(svg, 'g.ll-full-update line'), 1);
    assert.equal(count(svg, 'g.ll-points circle'), 4, 'a linear axis keeps rank 0');
  });
});

describe('partitionPlanFigure', () => {
  it('groups the frozen layers under their target layers, uniform beside optimal', () => {
    // Frozen depth 6, target depth 2 (the close MLP pair): uniform [[1,2,3],[4,5,6]], optimal [[1,2],[3,4,5,6]].
    const svg = partitionPlanFigure([
      { name: 'uniform', partition: [[1, 2, 3], [4, 5, 6]], discrepancyRanks: [16, 16], requiredRank: 6 },
      { name: 'optimal', partition: [[1, 2], [3, 4, 5, 6]], discrepancyRanks: [3, 16], requiredRank: 4 },
    ], {}, freshDocument());
    assert.equal(count(svg, 'g.ll-frozen-layers rect'), 12);
    assert.equal(count(svg, 'g.ll-target-layers rect'), 4);
    const t = texts(svg);
    assert.match(t, /uniform · required rank 6/);
    assert.match(t, /optimal · required rank 4/);
    assert.ok(t.indexOf('uniform') < t.indexOf('optimal'), 'uniform first');
    const tips = [...Array.from(el(svg).querySelectorAll('title'))].map((x) => x.textContent ?? '');
    assert.ok(tips.some((x) => /target layer 1 ← frozen layers 1, 2\n.*⌈3\/2⌉ = 2/.test(x)), tips.join(' | '));
  });

  it('stacks the plans for deep networks', () => {
    const L = 16;
    const svg = partitionPlanFigure([{ name: 'uniform', partition: [Array.from({ length: 8 }, (_, i) => i + 1), Array.from({ length: 8 }, (_, i) => i + 9)] }], { layout: 'auto' }, freshDocument());
    assert.equal(count(svg, 'g.ll-frozen-layers rect'), L);
    assert.equal(count(svg, 'g.ll-plan-titles text'), 1);
  });
});
