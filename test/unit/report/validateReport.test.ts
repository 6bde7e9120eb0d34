/**
 * The validation plot and page (issue 6) on a real, tiny ValidationResult: construction and Adam on
 * width-4 networks (L = 2, L̄ = 1, threshold 2), drawn through linkedom as the HTML page draws it.
 */
import * as assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadBackend } from '../../../src/engine/backend';
import { runValidation, validationRequest } from '../../../src/engine/training';
import type { ValidationResult } from '../../../src/protocol';
import type { PlotDocument, PlotSvg } from '../../../src/report/plots';
import { validationPlot, validationSeries } from '../../../src/report/plots/validationPlot';
import { renderValidationHtml } from '../../../src/report/validationHtml';

// linkedom's package types are ESM-only (TS1479 under module node16); its CommonJS build is what runs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseHTML } = require('linkedom') as { parseHTML(markup: string): { document: unknown } };

interface El {
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}
const freshDocument = () => parseHTML('<!doctype html><html><body></body></html>').document as PlotDocument;
const all = (svg: PlotSvg | El, selector: string) => Array.from((svg as unknown as El).querySelectorAll(selector));

const tiny = (overrides: Parameters<typeof validationRequest>[0]) =>
  validationRequest({ ranks: [1, 2, 3, 4], seeds: 1, steps: 20, batchSize: 64, learningRates: [1e-2], testSamples: 200, validationSamples: 100, ...overrides });

describe('validation plot and HTML page', () => {
  let result: ValidationResult;
  let ablation: ValidationResult;
  before(async () => {
    const backend = await loadBackend('cpu');
    result = await runValidation(tiny({ width: 4, frozenDepth: 2, targetDepth: 1, methods: ['construction', 'gradient'] }), { backend });
    ablation = await runValidation(tiny({ width: 4, frozenDepth: 2, targetDepth: 1, methods: ['construction', 'gradient'], biasModes: ['tunable', 'frozen'] }), { backend });
  });

  it('draws one line per method, a dot per rank, and the threshold rule at r = 2', () => {
    assert.equal(result.threshold, 2);
    const svg = validationPlot(result.curves, { threshold: result.threshold }, freshDocument());
    assert.equal(all(svg, 'g.ll-line path').length, 2, 'construction and gradient');
    assert.equal(all(svg, 'g.ll-line-construction path').length, 1);
    assert.equal(all(svg, 'g.ll-line-gradient path').length, 1);
    assert.equal(all(svg, 'g.ll-points-construction circle').length, 4);
    assert.equal(all(svg, 'g.ll-threshold line').length, 1);
    assert.match(all(svg, 'g.ll-threshold-label')[0]?.textContent ?? '', /threshold r = 2/);
    // Log y: the construction's round-off MSE past the threshold and the rank-1 error share the axis,
    // so the ticks span several powers of ten.
    const ticks = all(svg, '[aria-label="y-axis tick label"] text').map((t) => t.textContent ?? '');
    assert.ok(ticks.some((t) => /e−/.test(t)), `log ticks: ${ticks.join(' ')}`);
  });

  it('gives each bias mode of gradient descent its own line in the ablation (the construction needs tunable biases)', () => {
    const series = validationSeries(ablation.curves);
    assert.deepEqual(series.map((s) => s.key).sort(), ['construction-tunable', 'gradient-frozen', 'gradient-tunable']);
    const svg = validationPlot(ablation.curves, { threshold: ablation.threshold }, freshDocument());
    assert.equal(all(svg, 'g.ll-line path').length, 3);
  });

  it('renders a self-contained page: no script, no external link, no http, the plot inlined, a row per rank', () => {
    const page = renderValidationHtml(result);
    assert.doesNotMatch(page, /<script/i);
    assert.doesNotMatch(page, /<link/i);
    assert.doesNotMatch(page, /https?:\/\//i);
    assert.doesNotMatch(page, /\ssrc=/i);
    assert.match(page, /Content-Security-Policy" content="default-src 'none'/);
    const { document } = parseHTML(page) as { document: El };
    assert.equal(all(document, 'figure.plot svg').length, 1);
    assert.equal(all(document, 'svg g.ll-threshold line').length, 1);
    assert.equal(all(document, '#table tbody tr').length, 4);
    assert.match(all(document, 'tr.threshold td')[0]?.textContent ?? '', /^2 \(threshold\)/);
    assert.equal(all(document, '#table thead th').length, 3, 'rank, construction, gradient');
  });

  it('with a nonce, the CSP allows only the nonce-tagged stylesheet (the webview form)', () => {
    const page = renderValidationHtml(result, { nonce: 'abc123' });
    assert.match(page, /style-src 'nonce-abc123'/);
    assert.match(page, /<style nonce="abc123">/);
    assert.doesNotMatch(page, /unsafe-inline/);
  });
});
