/**
 * The analysis panel as a person meets it: Compare Base and Fine-tuned from the Command Palette, pick
 * the two bundled tiny Llamas, then read the table, move the rank budget, select a module.
 */
import * as assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import { runFromPalette } from './calculator.ui';
import type { UiTest } from './index';

/** Types into the open QuickPick and accepts the first row that shows `text`. */
export async function pick(page: Page, text: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(text);
  await widget.locator('.monaco-list-row').filter({ hasText: text }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/** The analysis panel's document (the last webview; VS Code nests it in an outer iframe). */
export function panelFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview').last().frameLocator('iframe#active-frame');
}

/** Ranks planted in the bundled tiny Llama fine-tune (examples/tiny-llama-finetuned). */
export const PLANTED: [string, number][] = [
  ['model.layers.0.self_attn.q_proj', 4],
  ['model.layers.0.self_attn.v_proj', 2],
  ['model.layers.0.self_attn.o_proj', 3],
  ['model.layers.1.mlp.down_proj', 1],
];

export const panelUiTest: UiTest = {
  name: 'analysis panel from Compare Base and Fine-tuned',
  async run({ page, screenshot }) {
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.statusbar').waitFor({ state: 'visible' });
    await runFromPalette(page, 'LoRA Lens: Compare Base and Fine-tuned');
    await pick(page, 'tiny-llama-base');
    await pick(page, 'tiny-llama-finetuned');

    const frame = panelFrame(page);
    await frame.locator('main[data-state="ready"]').waitFor({ timeout: 120_000 });
    const rows = frame.locator('table.modules tbody tr');
    assert.equal(await rows.count(), 16, 'every weight matrix of the tiny Llama');
    for (const [name, rank] of PLANTED) {
      const cells = rows.filter({ has: frame.locator(`span.module[title="${name}"]`) }).locator('td');
      assert.equal((await cells.nth(4).innerText()).trim(), String(rank), `rank(ΔW) of ${name}`);
      assert.match(await cells.nth(5).innerText(), new RegExp(`^${rank}\\s+exact`), `required rank of ${name}`);
    }

    // Budget 2 → 4: q_proj's spectral error drops from σ₃ ≈ 0.92 to the float32 noise floor.
    const q = rows.filter({ has: frame.locator('span.module[title="model.layers.0.self_attn.q_proj"]') });
    const budget = frame.locator('#budget-slider');
    await budget.fill('2');
    await frame.locator('main[data-budget="2"]').waitFor();
    const before = await q.locator('td').nth(6).innerText();
    assert.match(before, /^0\.9\d/);
    await budget.fill('4');
    await frame.locator('main[data-budget="4"]').waitFor();
    const after = await q.locator('td').nth(6).innerText();
    assert.notEqual(after, before);
    assert.match(after, /e-/, `an error at the noise floor, got ${after}`);
    assert.equal(await frame.locator('#budget-input').evaluate((e) => (e as unknown as { value: string }).value), '4');

    // Selecting another module redraws its spectrum.
    const o = rows.filter({ has: frame.locator('span.module[title="model.layers.0.self_attn.o_proj"]') });
    await o.click();
    await frame.locator('.selected h2 .module', { hasText: 'model.layers.0.self_attn.o_proj' }).waitFor();
    await frame.locator('.figures figure svg g.ll-spectrum path').first().waitFor();
    assert.equal(await frame.locator('.figures figure svg').count(), 3);
    assert.equal(await frame.locator('.figures svg g.ll-threshold').count(), 1);
    await screenshot('panel');
    await frame.locator('.figures').scrollIntoViewIfNeeded();
    await screenshot('panel-figures');
  },
};
