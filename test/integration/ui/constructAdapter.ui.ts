/**
 * "LoRA Lens: Build Construction Adapter (FNN)…" as a person runs it: right-click
 * mlp-pair-close/frozen.safetensors in the Explorer, choose the command, pick the target in the open
 * dialog (code-server's simple file dialog), type rank 4, pick a fresh folder, and read the
 * notification: rank 4 with the uniform partition [1 2 3] [4 5 6] is NOT exact (the blocks need 6).
 * The folder then holds a PEFT adapter_config.json on the checkpoint's six linear layers with r = 4.
 * A second run from the Command Palette into the same folder asks before replacing; Cancel keeps it.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { runFromPalette } from './calculator.ui';
import { contextMenuOnRow, explorerRow } from './commands.ui';
import type { UiTest } from './index';

const COMMAND = 'LoRA Lens: Build Construction Adapter (FNN)';
const PAIR = 'mlp-pair-close';
const OUT = 'construct-adapter-out';
/** The example's Sequential keeps its six Linear layers at the even indices (ReLUs in between). */
const LINEAR_MODULES = ['0', '2', '4', '6', '8', '10'];

/** Expands (or collapses) a top-level Explorer folder by clicking it, as a person would. */
async function setExpanded(page: Page, folder: string, expanded: boolean): Promise<void> {
  const row = explorerRow(page, folder, 1).first();
  await row.waitFor({ state: 'visible', timeout: 60_000 });
  if ((await row.getAttribute('aria-expanded')) !== String(expanded)) await row.click();
  await page.locator(`.explorer-folders-view .monaco-list-row[aria-level="1"][aria-expanded="${expanded}"]`)
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${folder}$`) }) }).waitFor({ timeout: 30_000 });
}

/**
 * Right-clicks `file` inside the expanded top-level folder and chooses `entry` in the context menu.
 * The extension's entries appear once the extension host has scanned it: retry (bounded).
 */
async function contextMenuOnChild(page: Page, file: string, entry: string): Promise<void> {
  const row = explorerRow(page, file, 2);
  await row.first().waitFor({ state: 'visible', timeout: 30_000 });
  assert.equal(await row.count(), 1, `one ${file} row in the Explorer`);
  await contextMenuOnRow(page, row, file, entry);
}

/**
 * Answers an open dialog (the simple file dialog: a quick input with a path box) whose title contains
 * `title`, as a person does: types the full path of a file and presses Enter once the list shows it, or
 * the path of a folder (with a trailing slash, to go into it) and clicks the dialog's button (its
 * open label, 'Write the adapter here'). The dialog fills in its
 * starting folder asynchronously and may overwrite what was typed before that: retry (bounded) until
 * this dialog closes.
 */
async function answerOpenDialog(page: Page, title: string, fsPath: string, kind: 'file' | 'folder'): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const heading = widget.locator('.quick-input-title').filter({ hasText: title });
  await heading.waitFor({ state: 'visible', timeout: 30_000 });
  const input = widget.locator('input');
  const typed = kind === 'folder' ? `${fsPath}/` : fsPath;
  // The dialog is ready once it shows its starting folder.
  await page.waitForFunction(`document.querySelector('.quick-input-widget input')?.value.endsWith('/')`, undefined, { timeout: 30_000 });
  for (let attempt = 1; ; attempt++) {
    try {
      await input.fill(typed);
      await page.waitForFunction(`document.querySelector('.quick-input-widget input')?.value === ${JSON.stringify(typed)}`, undefined, { timeout: 5_000 });
      if (kind === 'file') {
        await widget.locator('.monaco-list-row').filter({ hasText: path.basename(fsPath) }).first().waitFor({ state: 'visible', timeout: 5_000 });
        await page.keyboard.press('Enter');
      } else {
        await widget.locator('.monaco-button').filter({ hasText: /^Write the adapter here$/ }).click({ timeout: 5_000 });
      }
      await heading.waitFor({ state: 'hidden', timeout: 10_000 });
      return;
    } catch (error) {
      if (attempt >= 5) throw new Error(`${(error as Error).message}\nthe dialog "${title}" stayed open showing ${await input.inputValue()}`);
    }
  }
}

/** Waits for the rank input box (step 3/4), types the rank and presses Enter. */
async function answerRank(page: Page, rank: number): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title').filter({ hasText: 'step 3/4' }).waitFor({ state: 'visible', timeout: 30_000 });
  await widget.locator('input').fill(String(rank));
  await page.keyboard.press('Enter');
}

export const constructAdapterUiTest: UiTest = {
  name: 'build construction adapter from the Explorer context menu and dialogs',
  async run({ page, workspace, screenshot }) {
    const outFolder = path.join(workspace, OUT);
    try {
      await runConstructAdapter(page, workspace, outFolder, screenshot);
    } finally {
      // The shared workspace stays as the other UI tests expect it.
      await fs.rm(outFolder, { recursive: true, force: true });
    }
  },
};

async function runConstructAdapter(page: Page, workspace: string, outFolder: string, screenshot: (name: string) => Promise<void>): Promise<void> {
  const frozen = path.join(workspace, PAIR, 'frozen.safetensors');
  const target = path.join(workspace, PAIR, 'target.safetensors');
  const configFile = path.join(outFolder, 'adapter_config.json');
  const weightsFile = path.join(outFolder, 'adapter_model.safetensors');
  // The person made an empty folder for the adapter beforehand.
  await fs.rm(outFolder, { recursive: true, force: true });
  await fs.mkdir(outFolder);

  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.statusbar').waitFor({ state: 'visible' });
  await runFromPalette(page, 'View: Show Explorer');
  await setExpanded(page, 'mlp-pair', false); // its own frozen.safetensors would be a second row of that name
  await setExpanded(page, PAIR, true);
  await contextMenuOnChild(page, 'frozen.safetensors', 'Build Construction Adapter (FNN)…');

  // Steps 2–4: the frozen model came from the Explorer.
  await answerOpenDialog(page, 'the target model (step 2/4)', target, 'file');
  await answerRank(page, 4);
  await answerOpenDialog(page, 'folder for the PEFT adapter (step 4/4)', outFolder, 'folder');

  const toast = page.locator('.notification-toast').filter({ hasText: /LoRA Lens: (exact|not exact)/ }).first();
  await toast.waitFor({ state: 'visible', timeout: 120_000 }).catch(async (error: Error) => {
    throw new Error(`${error.message}\nnotifications: ${JSON.stringify(await page.locator('.notification-toast').allInnerTexts())}`);
  });
  const text = (await toast.innerText()).replace(/\s+/g, ' ');
  // The toast fades in: screenshot it once drawn in full.
  await page.locator('.notification-toast.notification-fade-in-done').filter({ hasText: 'not exact' }).waitFor({ timeout: 10_000 });
  await screenshot('construct-adapter-notification');
  const m = /LoRA Lens: not exact \(below the threshold in some block\); test MSE (\S+) as written \(frozen (\S+)\)\. Wrote (\S+)\./.exec(text);
  assert.ok(m, `a "not exact" summary with the MSE, got: ${text}`);
  const [adapted, frozenMse] = [Number(m[1]), Number(m[2])];
  assert.ok(Number.isFinite(adapted) && Number.isFinite(frozenMse), `MSEs are numbers: ${m[1]}, ${m[2]}`);
  // Rank 4 leaves σ_13 of each block's discrepancy, but still closes most of the gap to the target.
  assert.ok(adapted > 0 && adapted < frozenMse / 10, `adapted MSE ${adapted} well below the frozen model's ${frozenMse}`);
  assert.equal(m[3], `${OUT}/adapter_config.json`);

  const config = JSON.parse(await fs.readFile(configFile, 'utf8')) as { peft_type: string; r: number; target_modules: string[] };
  assert.equal(config.peft_type, 'LORA');
  assert.equal(config.r, 4);
  assert.deepEqual(config.target_modules, LINEAR_MODULES);
  const written = { config: await fs.readFile(configFile), weights: await fs.readFile(weightsFile), mtime: (await fs.stat(configFile)).mtimeMs };
  assert.ok(written.weights.length > 8, 'adapter_model.safetensors written');
  // Dismiss the result so the next run's notifications are not confused with it.
  await toast.hover();
  await toast.locator('.codicon-notifications-clear').click();
  await toast.waitFor({ state: 'hidden', timeout: 30_000 });

  // Again from the Command Palette, into the same folder: the modal asks; Cancel keeps the adapter.
  await runFromPalette(page, COMMAND);
  await answerOpenDialog(page, 'the frozen model (step 1/4)', frozen, 'file');
  await answerOpenDialog(page, 'the target model (step 2/4)', target, 'file');
  await answerRank(page, 2);
  await answerOpenDialog(page, 'folder for the PEFT adapter (step 4/4)', outFolder, 'folder');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.getByText(`${outFolder} already holds a PEFT adapter. Replace it?`).waitFor({ state: 'visible', timeout: 30_000 });
  await screenshot('construct-adapter-replace-prompt');
  await dialog.locator('.monaco-button').filter({ hasText: /^Cancel$/ }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
  // Cancelling returns before any request to the engine: nothing is building, nothing was rewritten.
  assert.equal(await page.locator('.notification-toast').filter({ hasText: 'Building the construction' }).count(), 0, 'no construction started');
  assert.deepEqual(await fs.readFile(configFile), written.config, 'adapter_config.json unchanged');
  assert.deepEqual(await fs.readFile(weightsFile), written.weights, 'adapter_model.safetensors unchanged');
  assert.equal((await fs.stat(configFile)).mtimeMs, written.mtime, 'adapter_config.json not rewritten');
}
