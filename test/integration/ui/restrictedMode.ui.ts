/**
 * Workspace Trust as a person meets it (issue 5, item 6): the workbench asks whether to trust the folder,
 * the person says no; "Show Engine Status" then explains that the engine does not start in Restricted
 * Mode, no engine process appears, and the theory hints in config.json still show.
 * Runs in its own code-server session with Workspace Trust enabled (`trust: 'restricted'`).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../launchers/workspace';
import { runFromPalette } from './calculator.ui';
import type { UiTest } from './index';
import { quickOpen } from './safetensorsViewer.ui';

const ENGINE_SCRIPT = path.join(repoRoot, 'dist', 'engine.js');

interface ProcessRow {
  pid: number;
  ppid: number;
  args: string;
}

/** Every process below `rootPid` (children, grandchildren, …), read from `ps`. */
function descendants(rootPid: number): ProcessRow[] {
  const rows: ProcessRow[] = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const found: ProcessRow[] = [];
  const frontier = [rootPid];
  while (frontier.length > 0) {
    const parent = frontier.pop();
    for (const row of rows) {
      if (row.ppid === parent) {
        found.push(row);
        frontier.push(row.pid);
      }
    }
  }
  return found;
}

/**
 * Engine processes of this code-server session only (another test run on the machine may have its own),
 * after checking that the process tree really reaches the extension host, so "none" means something.
 */
function engineProcesses(codeServerPid: number): ProcessRow[] {
  const tree = descendants(codeServerPid);
  assert.ok(
    tree.some((row) => row.args.includes('--type=extensionHost')),
    `no extension host below code-server pid ${codeServerPid}:\n${tree.map((r) => `${r.pid} ${r.args}`).join('\n')}`,
  );
  return tree.filter((row) => row.args.includes(ENGINE_SCRIPT));
}

/** Answers the startup trust prompt with "No, I don't trust the authors" and waits for Restricted Mode. */
async function stayInRestrictedMode(page: Page): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box').filter({ hasText: 'trust the authors' });
  await dialog.waitFor({ state: 'visible', timeout: 60_000 });
  await dialog.getByRole('button', { name: "No, I don't trust the authors" }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.locator('.statusbar').getByText('Restricted Mode').waitFor({ state: 'visible', timeout: 30_000 });
}

export const restrictedModeUiTest: UiTest = {
  name: 'restricted mode: no engine, the user is told why, theory hints still work',
  trust: 'restricted',
  async run({ page, screenshot, codeServerPid }) {
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await stayInRestrictedMode(page);
    assert.deepEqual(engineProcesses(codeServerPid), [], 'an engine ran before any command');

    await runFromPalette(page, 'LoRA Lens: Show Engine Status');
    const toast = page.locator('.notification-toast').filter({ hasText: 'does not start its analysis engine' });
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await toast.innerText();
    assert.match(text, /LoRA Lens does not start its analysis engine in Restricted Mode/);
    assert.match(text, /Trust this workspace to analyze checkpoints/);
    // A warning, not an error or information message.
    assert.equal(await toast.locator('.codicon-warning, .codicon-notifications-warning').count() > 0, true, 'the message is not shown as a warning');
    assert.deepEqual(engineProcesses(codeServerPid), [], 'Show Engine Status started an engine in Restricted Mode');

    // Hints come from the theory core (no engine): D = 4096 gives ⌈D/2⌉ = 2048 on hidden_size.
    await quickOpen(page, 'llama-7b-config/config.json', 'llama-7b-config');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-line').filter({ hasText: '"hidden_size": 4096' }).waitFor({ state: 'visible', timeout: 30_000 });
    const hint = editor.locator('.view-line').filter({ hasText: 'rank ⌈D/2⌉ = 2048 always suffices' });
    await hint.waitFor({ state: 'visible', timeout: 30_000 });
    // Monaco renders spaces as no-break spaces: match them with \s.
    assert.match(await hint.innerText(), /"hidden_size":\s4096\s+rank\s⌈D\/2⌉\s=\s2048\s/);
    await screenshot('restricted-mode');
    assert.deepEqual(engineProcesses(codeServerPid), [], 'opening config.json started an engine in Restricted Mode');
  },
};
