/** The calculator as a person uses it: command palette, quick pick, input boxes, notification. */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { UiTest } from './index';

async function answerInput(page: Page, value: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(value);
  await page.keyboard.press('Enter');
}

/**
 * Runs a command from the Command Palette. Contributed commands appear once the extension host has
 * scanned the extension, which can be after the workbench renders: retry (bounded) until it is listed.
 */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    const input = widget.locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = widget.locator('.monaco-list-row').filter({ hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 5_000 });
      await page.keyboard.press('Enter');
      return;
    } catch (error) {
      if (attempt >= 12) throw new Error(`command '${title}' never appeared in the Command Palette`);
      await page.keyboard.press('Escape');
    }
  }
}

export const calculatorUiTest: UiTest = {
  name: 'calculator from the command palette',
  async run({ page, screenshot }) {
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    // The workbench is ready for commands once the status bar shows.
    await page.locator('.statusbar').waitFor({ state: 'visible' });
    await runFromPalette(page, 'LoRA Lens: Rank Threshold Calculator');
    await page.locator('.quick-input-widget').getByText('Fully connected ReLU network (FNN)').waitFor();
    await answerInput(page, 'FNN');
    await page.locator('.quick-input-widget').getByText('Width D of every layer').waitFor();
    await answerInput(page, '16');
    await page.locator('.quick-input-widget').getByText('Frozen depth L').waitFor();
    await answerInput(page, '5');
    await page.locator('.quick-input-widget').getByText('Target depth L̄').waitFor();
    await answerInput(page, '2');
    await page.locator('.quick-input-widget').getByText('Discrepancy ranks').waitFor();
    await answerInput(page, '');
    const toast = page.locator('.notification-toast').filter({ hasText: 'LoRA rank' });
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await toast.innerText();
    await screenshot('calculator-notification');
    assert.match(text, /LoRA rank 8 \[exact \(sufficient\)\]/);
    assert.match(text, /partition \[1 2\] \[3 4 5\]/);
  },
};
