/**
 * "LoRA Lens: Validate by Training…" as a person runs it: the Command Palette, the seven dialog steps
 * answered with a small case (width 4, frozen depth 2, target depth 1, ranks 1–4, one seed, few Adam
 * steps), then the result panel: the plot with the threshold rule at rank 2
 * and one point per rank and method, and the table marking the threshold row.
 */
import * as assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import { runFromPalette } from './calculator.ui';
import type { UiTest } from './index';

const RANKS = [1, 2, 3, 4];
const THRESHOLD = 2; // FNN, D = 4, L = 2, L̄ = 1: ⌈D·L̄/L⌉ = ⌈4/2⌉ = 2

/** Waits for dialog step `step` of 7 (its title), types `value` and presses Enter. */
async function answerStep(page: Page, step: number, value: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title').filter({ hasText: `Validate by Training (${step}/7)` }).waitFor({ state: 'visible', timeout: 30_000 });
  await widget.locator('input').fill(value);
  await page.keyboard.press('Enter');
}

function validationFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

/** x of the dots of one series, by rank, read from the dots' tooltips ("…, rank 2: median test MSE …"). */
async function dotsByRank(frame: FrameLocator, series: string): Promise<Map<number, { cx: number; title: string }>> {
  const dots = await frame.locator(`#figures svg g.ll-points-${series} circle`).evaluateAll((circles) =>
    circles.map((c) => ({ cx: Number(c.getAttribute('cx')), title: c.querySelector('title')?.textContent ?? '' })));
  const out = new Map<number, { cx: number; title: string }>();
  for (const dot of dots) {
    const m = /rank (\d+):/.exec(dot.title);
    assert.ok(m, `a ${series} point without a rank in its tooltip: ${dot.title}`);
    out.set(Number(m[1]), dot);
  }
  return out;
}

export const validateByTrainingUiTest: UiTest = {
  name: 'validate by training from the command palette dialogs',
  async run({ page, screenshot }) {
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.statusbar').waitFor({ state: 'visible' });
    await runFromPalette(page, 'LoRA Lens: Validate by Training');
    await answerStep(page, 1, '4');
    await answerStep(page, 2, '2');
    await answerStep(page, 3, '1');
    await answerStep(page, 4, '1-4');
    await answerStep(page, 5, '1');
    await answerStep(page, 6, '25');

    // Step 7: the methods, construction and gradient descent already checked; accept them.
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title').filter({ hasText: '(7/7)' }).waitFor({ state: 'visible', timeout: 30_000 });
    const rows = widget.locator('.monaco-list-row');
    await rows.filter({ hasText: 'final-layers' }).waitFor({ state: 'visible' });
    for (const [label, checked] of [['construction', true], ['gradient', true], ['final-layers', false]] as const) {
      const row = rows.filter({ hasText: new RegExp(`^\\s*${label}`) }).first();
      assert.equal(await row.getAttribute('aria-checked'), String(checked), `${label} ${checked ? '' : 'not '}checked by default`);
    }
    await page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden' });

    // The result panel opens when the engine is done (a run this small can finish before its progress
    // notification is drawn, so that is not waited for).
    const tab = page.locator('.tabs-container .tab').filter({ hasText: 'LoRA Lens: validation D=4, L=2, L̄=1' });
    await tab.waitFor({ state: 'visible', timeout: 120_000 });
    const failure = page.locator('.notification-toast').filter({ hasText: /LoRA Lens: .*(failed|error|could not)/i });
    assert.equal(await failure.count(), 0, `an error notification: ${await failure.allInnerTexts()}`);

    const frame = validationFrame(page);
    const svg = frame.locator('#figures svg');
    await svg.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await frame.locator('#summary').innerText(), new RegExp(`Theoretical threshold: rank ${THRESHOLD}\\b`));

    // The threshold: one red dashed rule, labelled, drawn at the x of the rank-2 points.
    const rule = svg.locator('g.ll-threshold line');
    assert.equal(await rule.count(), 1, 'one threshold rule');
    assert.equal(await svg.locator('.ll-threshold-label').textContent(), `threshold r = ${THRESHOLD}`);
    const ruleX = Number(await rule.getAttribute('x1'));
    assert.equal(Number(await rule.getAttribute('x2')), ruleX, 'the rule is vertical');

    const construction = await dotsByRank(frame, 'construction');
    const gradient = await dotsByRank(frame, 'gradient');
    assert.deepEqual([...construction.keys()].sort(), RANKS, 'one construction point per rank');
    assert.deepEqual([...gradient.keys()].sort(), RANKS, 'one gradient-descent point per rank');
    assert.equal(construction.get(THRESHOLD)!.cx, ruleX, 'the threshold rule sits at rank 2');
    for (let i = 1; i < RANKS.length; i++) {
      assert.ok(construction.get(RANKS[i])!.cx > construction.get(RANKS[i - 1])!.cx, 'ranks increase to the right');
    }
    // The construction is exact from the threshold on (drawn at the floor) and not below it.
    assert.doesNotMatch(construction.get(1)!.title, /drawn at the floor/);
    for (const r of RANKS.filter((x) => x >= THRESHOLD)) assert.match(construction.get(r)!.title, /drawn at the floor/, `construction at rank ${r}`);
    for (const [r, dot] of gradient) assert.match(dot.title, /median test MSE \d\.\d+e[+-]\d+/, `gradient point at rank ${r}`);
    assert.equal(await svg.locator('g.ll-line-construction path').count(), 1);
    assert.equal(await svg.locator('g.ll-line-gradient path').count(), 1);

    // The table marks the threshold row.
    assert.equal((await frame.locator('#table tr.threshold td').first().innerText()).trim(), `${THRESHOLD} (threshold)`);
    assert.equal(await frame.locator('#table tbody tr').count(), RANKS.length);
    await screenshot('validate-by-training');
  },
};
