/**
 * The safetensors viewer as a person uses it: Quick Open a checkpoint, read the header in the custom
 * editor, filter the tensors; a broken file shows its problem. Screenshots in the dark and the light theme.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import type { UiTest } from './index';

/**
 * Opens a workspace file through Quick Open (Ctrl+P), like a person would. A file the test has just
 * written may reach the file search a moment later: retry (bounded) until it is listed.
 */
export async function quickOpen(page: Page, query: string, rowText: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+P');
    const input = widget.locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(query);
    try {
      await widget.locator('.monaco-list-row').filter({ hasText: rowText }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      return;
    } catch (error) {
      if (attempt >= 6) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

/** The active webview's document (VS Code nests it: an outer iframe, then the active frame). */
function activeWebview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

/**
 * Switches the colour theme through the workspace settings (the theme picker's search reaches for the
 * Marketplace, which is offline here) and waits until the workbench and the webview show it.
 */
async function useTheme(page: Page, workspace: string, theme: 'light' | 'dark'): Promise<void> {
  const settings = path.join(workspace, '.vscode', 'settings.json');
  await fs.mkdir(path.dirname(settings), { recursive: true });
  const name = theme === 'light' ? 'Default Light Modern' : 'Default Dark Modern';
  await fs.writeFile(settings, JSON.stringify({ 'workbench.colorTheme': name }, null, 2));
  await page.locator(theme === 'light' ? '.monaco-workbench.vs' : '.monaco-workbench.vs-dark').waitFor({ state: 'attached', timeout: 30_000 });
  await activeWebview(page).locator(theme === 'light' ? 'body.vscode-light' : 'body.vscode-dark').waitFor({ state: 'attached', timeout: 30_000 });
}

export const safetensorsViewerUiTest: UiTest = {
  name: 'safetensors viewer via Quick Open',
  async run(ctx) {
    try {
      await runViewerTest(ctx.page, ctx.workspace, ctx.screenshot);
    } finally {
      await fs.rm(path.join(ctx.workspace, '.vscode'), { recursive: true, force: true });
    }
  },
};

async function runViewerTest(page: Page, workspace: string, screenshot: (name: string) => Promise<void>): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.statusbar').waitFor({ state: 'visible' });

  await quickOpen(page, 'tiny-llama-base/model.safetensors', 'tiny-llama-base');
  const view = activeWebview(page);
  const q = view.locator('tr.tensor-row').filter({ hasText: 'model.layers.0.self_attn.q_proj.weight' });
  await q.waitFor({ state: 'visible', timeout: 60_000 });
  assert.equal(await q.locator('td.shape').innerText(), '64 × 64');
  assert.equal(await q.locator('td.dtype').innerText(), 'F32');
  assert.equal(await q.locator('td.num').first().innerText(), '4,096');
  const k = view.locator('tr.tensor-row').filter({ hasText: 'model.layers.1.self_attn.k_proj.weight' });
  assert.equal(await k.locator('td.shape').innerText(), '32 × 64');
  assert.equal(await view.locator('tr.tensor-row').count(), 21);
  assert.deepEqual(await view.locator('tr.group-row .group-label').allInnerTexts(), ['Embeddings', 'Layer 0', 'Layer 1', 'Head']);
  assert.match(await view.locator('.stats').innerText(), /90\.4K[\s\S]*90,432/);
  await view.locator('vscode-button#analyze').waitFor({ state: 'visible' });
  await useTheme(page, workspace, 'dark');
  await screenshot('safetensors-viewer');

  // Filter: two q_proj rows remain, in two open groups.
  await view.locator('#filter input').fill('q_proj');
  await view.locator('#match-count').filter({ hasText: '2 of 21' }).waitFor();
  assert.equal(await view.locator('tr.tensor-row').count(), 2);
  await view.locator('#filter input').fill('');
  await view.locator('#match-count').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });

  await useTheme(page, workspace, 'light');
  await screenshot('safetensors-viewer-light');

  // A broken file: the problem is shown in the editor.
  const broken = path.join(workspace, 'ui-broken', 'broken-shard.safetensors');
  await fs.mkdir(path.dirname(broken), { recursive: true });
  const bytes = await fs.readFile(path.join(workspace, 'tiny-llama-base', 'model.safetensors'));
  await fs.writeFile(broken, bytes.subarray(0, 5000));
  await quickOpen(page, 'broken-shard.safetensors', 'broken-shard');
  const problem = activeWebview(page).locator('.error-view .problem');
  await problem.waitFor({ state: 'visible', timeout: 60_000 });
  assert.match(await problem.innerText(), /truncated file\?/);
  await screenshot('safetensors-viewer-error');
}
