/**
 * The analysis panel across a window reload, then its export buttons, as a person uses them:
 * Compare the bundled tiny Llamas, set the rank budget and pick a module, "Developer: Reload Window",
 * find the same panel back (model, rows, budget, selection) with a working budget control, then click
 * Markdown, HTML, JSON and rank_pattern and go through code-server's save dialog (the simple file
 * dialog), reading what was written. Exporting over an existing file asks first; saying no keeps it.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { runFromPalette } from './calculator.ui';
import type { UiTest } from './index';
import { PLANTED, panelFrame, pick } from './panel.ui';

const TITLE = 'LoRA Lens: tiny-llama-finetuned vs tiny-llama-base';
const STEM = 'lora-lens-tiny-llama-base-vs-tiny-llama-finetuned';

/** Column indices of the panel's module table (name, role, layer, shape, rank, required, spectral, Frobenius, energy kept, …). */
const COL = { rank: 4, required: 5, spectral: 6, energy: 8 } as const;

function moduleRow(frame: FrameLocator, name: string) {
  return frame.locator('table.modules tbody tr').filter({ has: frame.locator(`span.module[title="${name}"]`) });
}

async function cellText(frame: FrameLocator, name: string, column: number): Promise<string> {
  return (await moduleRow(frame, name).locator('td').nth(column).innerText()).trim();
}

async function setBudget(frame: FrameLocator, budget: number): Promise<void> {
  await frame.locator('#budget-slider').fill(String(budget));
  await frame.locator(`main[data-budget="${budget}"]`).waitFor({ timeout: 30_000 });
}

/** Reloads the workbench through the Command Palette and waits for the new page to load. */
async function reloadWindow(page: Page): Promise<void> {
  // A mark on the old page: gone once the new one has loaded. (Strings: page code runs in the browser.)
  await page.evaluate('window.loraLensBeforeReload = true');
  const loaded = page.waitForEvent('load', { timeout: 90_000 });
  await runFromPalette(page, 'Developer: Reload Window');
  await loaded;
  await page.waitForFunction('!window.loraLensBeforeReload', undefined, { timeout: 30_000 });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
}

function analysisTabs(page: Page) {
  return page.locator('.tabs-container .tab').filter({ hasText: TITLE });
}

/** Waits until the save dialog's path box holds `expected`. */
async function dialogShows(page: Page, expected: string): Promise<void> {
  await page.waitForFunction(`document.querySelector('.quick-input-widget input')?.value === ${JSON.stringify(expected)}`, undefined, { timeout: 30_000 });
}

/**
 * Clicks an export button of the panel and answers the save dialog like a person: checks the
 * suggested file and presses Enter (and confirms creating a new folder). Returns the path written.
 */
async function exportFromPanel(page: Page, workspace: string, frame: FrameLocator, format: string, suggested: string, opts: { newFolder?: string } = {}): Promise<string> {
  await frame.locator(`.exports vscode-button[data-format="${format}"]`).click();
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  // The simple file dialog fills in the suggested path (it may briefly show the folder first).
  await dialogShows(page, suggested).catch(async () => {
    throw new Error(`save dialog for ${format}: expected the suggested path ${suggested}, got ${await input.inputValue()}`);
  });
  await page.keyboard.press('Enter');
  if (opts.newFolder) {
    // The suggested folder does not exist yet: the dialog offers to create it; say yes.
    await widget.getByText(`The folder ${opts.newFolder} does not exist. Would you like to create it?`).waitFor({ state: 'visible', timeout: 30_000 });
    await page.keyboard.press('Enter');
  }
  const written = suggested;
  await page.locator('.notification-toast').filter({ hasText: `wrote ${path.relative(workspace, written)}.` }).first().waitFor({ state: 'visible', timeout: 30_000 }).catch(async (error: Error) => {
    const exists = await fs.stat(written).then(() => 'exists', () => 'does not exist');
    const toasts = await page.locator('.notification-toast').allInnerTexts();
    throw new Error(`${error.message}\n${written} ${exists}; notifications: ${JSON.stringify(toasts)}`);
  });
  await widget.waitFor({ state: 'hidden', timeout: 30_000 });
  return written;
}

/** Markdown table rows `| module | shape | ΔW rank | … |` of the "Changed modules" section, by module name. */
function markdownModuleRows(markdown: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('| model.')) continue;
    const cells = line.slice(1, -1).split(' | ').map((c) => c.trim().replace(/\\(.)/g, '$1'));
    rows.set(cells[0], cells);
  }
  return rows;
}

export const panelRestoreExportUiTest: UiTest = {
  name: 'analysis panel: restored after reload, then exported through the save dialog',
  async run({ page, workspace, screenshot }) {
    try {
      await runPanelRestoreExport(page, workspace, screenshot);
    } finally {
      // The shared workspace stays as the other UI tests expect it.
      await Promise.all(['md', 'html', 'json'].map((ext) => fs.rm(path.join(workspace, `${STEM}.${ext}`), { force: true })));
      await fs.rm(path.join(workspace, 'lora-lens-adapter'), { recursive: true, force: true });
    }
  },
};

async function runPanelRestoreExport(page: Page, workspace: string, screenshot: (name: string) => Promise<void>): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.statusbar').waitFor({ state: 'visible' });
  await runFromPalette(page, 'LoRA Lens: Compare Base and Fine-tuned');
  await pick(page, 'tiny-llama-base');
  await pick(page, 'tiny-llama-finetuned');

  let frame = panelFrame(page);
  await frame.locator('main[data-state="ready"]').waitFor({ timeout: 120_000 });
  const o = 'model.layers.0.self_attn.o_proj';
  await moduleRow(frame, o).click();
  await frame.locator('.selected h2 .module', { hasText: o }).waitFor();
  // Move the budget and export at once (no pause): the Markdown must be at the budget on screen
  // (r = 3). It goes to the suggested file in the workspace folder.
  await setBudget(frame, 3);
  const [markdownFile, qSpectralAt3, qEnergyAt3] = await Promise.all([
    exportFromPanel(page, workspace, frame, 'markdown', path.join(workspace, `${STEM}.md`)),
    cellText(frame, 'model.layers.0.self_attn.q_proj', COL.spectral),
    cellText(frame, 'model.layers.0.self_attn.q_proj', COL.energy),
  ]);
  const markdown = await fs.readFile(markdownFile, 'utf8');
  assert.match(markdown, /^# LoRA Lens report: Transformer pair/);
  assert.match(markdown, /4 of 16 modules changed/);
  assert.match(markdown, /\| energy kept at r=3 \|/, 'the Markdown summarises at the panel\'s budget');
  const mdRows = markdownModuleRows(markdown);
  assert.deepEqual([...mdRows.keys()].sort(), PLANTED.map(([name]) => name).sort(), 'one table row per changed module');
  for (const [name, rank] of PLANTED) {
    const cells = mdRows.get(name)!;
    assert.equal(cells[2], String(rank), `ΔW rank of ${name} in the Markdown`);
    assert.equal(cells[5], String(rank), `recommended rank of ${name} in the Markdown`);
  }
  // The energy kept at r = 3 in the Markdown is the number the panel shows.
  const mdEnergy = Number(mdRows.get('model.layers.0.self_attn.q_proj')![6]);
  const panelEnergy = Number(qEnergyAt3.replace('%', '')) / (qEnergyAt3.endsWith('%') ? 100 : 1);
  assert.ok(mdEnergy > 0.5 && mdEnergy < 1, `q_proj keeps part of its energy at r = 3 (Markdown ${mdEnergy})`);
  assert.ok(Math.abs(mdEnergy - panelEnergy) < 1e-3, `energy kept by q_proj at r = 3: panel ${qEnergyAt3}, Markdown ${mdEnergy}`);

  // Reload the window: the panel comes back with the same model, rows, budget and selection.
  await reloadWindow(page);
  await analysisTabs(page).first().waitFor({ state: 'visible', timeout: 60_000 });
  assert.equal(await analysisTabs(page).count(), 1, 'one restored panel, no duplicate');
  frame = panelFrame(page);
  await frame.locator('main[data-state="ready"]').waitFor({ timeout: 60_000 });
  assert.equal(await frame.locator('header.title h1').innerText(), TITLE.replace(/^LoRA Lens: /, ''));
  assert.equal(await frame.locator('table.modules tbody tr').count(), 16, 'every weight matrix of the tiny Llama');
  for (const [name, rank] of PLANTED) {
    assert.equal(await cellText(frame, name, COL.rank), String(rank), `rank(ΔW) of ${name} after the reload`);
  }
  assert.equal(await frame.locator('#budget-slider').inputValue(), '3', 'the budget survives the reload');
  assert.equal(await cellText(frame, 'model.layers.0.self_attn.q_proj', COL.spectral), qSpectralAt3);
  await frame.locator('.selected h2 .module', { hasText: o }).waitFor({ timeout: 30_000 });
  await frame.locator('.figures figure svg g.ll-spectrum path').first().waitFor({ timeout: 30_000 });
  await screenshot('panel-restored');

  // The restored budget control still works: 3 → 4 takes q_proj's error to the float32 noise floor.
  await setBudget(frame, 4);
  const qSpectralAt4 = await cellText(frame, 'model.layers.0.self_attn.q_proj', COL.spectral);
  assert.notEqual(qSpectralAt4, qSpectralAt3);
  assert.match(qSpectralAt4, /e-/, `an error at the noise floor, got ${qSpectralAt4}`);
  assert.equal(await frame.locator('#budget-input').evaluate((e) => (e as unknown as { value: string }).value), '4');

  // HTML: self-contained, at the new budget, with the plots.
  const htmlFile = await exportFromPanel(page, workspace, frame, 'html', path.join(workspace, `${STEM}.html`));
  const html = await fs.readFile(htmlFile, 'utf8');
  assert.match(html, /rank budget <strong>4<\/strong>/, 'the HTML summarises at the restored panel\'s budget');
  assert.ok((html.match(/<svg/g) ?? []).length >= 3, 'plots inlined as SVG');
  assert.doesNotMatch(html, /<script|src="https?:/, 'no script, nothing loaded from the network');
  for (const [name] of PLANTED) assert.ok(html.includes(name), `${name} in the HTML`);

  // JSON: the report itself.
  const jsonFile = await exportFromPanel(page, workspace, frame, 'json', path.join(workspace, `${STEM}.json`));
  const report = JSON.parse(await fs.readFile(jsonFile, 'utf8')) as {
    schemaVersion: number; kind: string; transformer: { modules: unknown[]; rankPattern: Record<string, number> };
  };
  assert.equal(report.schemaVersion, 1);
  assert.equal(report.kind, 'transformer');
  assert.equal(report.transformer.modules.length, 16);
  assert.deepEqual(report.transformer.rankPattern, Object.fromEntries(PLANTED));

  // rank_pattern: a PEFT adapter_config.json whose ranks are the report's, alphas 2·r, in the
  // suggested folder lora-lens-adapter, which the dialog creates.
  const peftFile = await exportFromPanel(page, workspace, frame, 'peft', path.join(workspace, 'lora-lens-adapter', 'adapter_config.json'), { newFolder: 'lora-lens-adapter' });
  const peft = JSON.parse(await fs.readFile(peftFile, 'utf8')) as {
    peft_type: string; r: number; lora_alpha: number; target_modules: string[]; rank_pattern: Record<string, number>; alpha_pattern: Record<string, number>;
  };
  const expected = Object.fromEntries(Object.entries(report.transformer.rankPattern).map(([name, r]) => [name.replace(/^model\./, ''), r]));
  assert.equal(peft.peft_type, 'LORA');
  assert.deepEqual(peft.rank_pattern, expected, 'rank_pattern is the report\'s, keys without "model."');
  assert.equal(peft.r, Math.max(...Object.values(expected)));
  assert.equal(peft.lora_alpha, 2 * peft.r);
  assert.deepEqual(peft.alpha_pattern, Object.fromEntries(Object.entries(expected).map(([k, r]) => [k, 2 * r])));
  assert.deepEqual([...peft.target_modules].sort(), Object.keys(expected).sort());

  // Exporting over an existing file asks first. The person edited the Markdown meanwhile.
  const edited = 'my own notes, not to be lost\n';
  await fs.writeFile(markdownFile, edited);
  await overwritePrompt(page, frame, markdownFile);
  await screenshot('export-overwrite-prompt');
  // "No" (Escape) returns to the save dialog to pick another name; Escape again cancels the export.
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget .quick-input-title').filter({ hasText: 'Export Design Review (Markdown)' }).waitFor({ state: 'visible', timeout: 30_000 });
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 30_000 });
  // Ask again (so the cancelled command has certainly finished), check, then say yes.
  await overwritePrompt(page, frame, markdownFile);
  assert.equal(await fs.readFile(markdownFile, 'utf8'), edited, 'cancelling the overwrite prompt kept the file');
  await page.keyboard.press('Enter');
  await page.locator('.notification-toast').filter({ hasText: `wrote ${path.basename(markdownFile)}` }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await waitForFile(markdownFile, (text) => text !== edited);
  assert.match(await fs.readFile(markdownFile, 'utf8'), /\| energy kept at r=4 \|/, 'replaced, at the current budget');
}

/** Clicks Markdown, accepts the suggested (existing) file once and waits for the dialog's overwrite question. */
async function overwritePrompt(page: Page, frame: FrameLocator, file: string): Promise<void> {
  await frame.locator('.exports vscode-button[data-format="markdown"]').click();
  const widget = page.locator('.quick-input-widget');
  await widget.locator('input').waitFor({ state: 'visible', timeout: 30_000 });
  await dialogShows(page, file);
  await page.keyboard.press('Enter');
  await widget.getByText(`${path.basename(file)} already exists`).waitFor({ state: 'visible', timeout: 30_000 });
}

/** Bounded poll for a file's content to satisfy `ok` (the write follows the notification's command closely). */
async function waitForFile(file: string, ok: (text: string) => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    if (ok(text)) return;
    if (Date.now() > deadline) throw new Error(`${file} did not change as expected within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
