/**
 * `npm run test:integration`: the integration suite in a real VS Code.
 * Phase 1: mocha tests inside the extension host (test/integration/suite), through @vscode/test-electron
 * when a desktop VS Code is present, otherwise code-server 4.100.3 + Debian chromium + playwright-core.
 * Phase 2 (code-server only): UI tests that drive the workbench like a person (test/integration/ui).
 * Phase 3 (code-server only): UI tests marked `trust: 'restricted'`, in a second code-server session with
 * Workspace Trust enabled and the workspace left untrusted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findDesktopVSCode, runWithElectron } from './integration/launchers/electron';
import type { Browser } from 'playwright-core';
import {
  type CodeServerSession, CODE_SERVER_VERSION, chromiumAvailable, launchBrowser, runExtensionHostSuite, startCodeServer, workbenchQuery,
} from './integration/launchers/codeServer';
import { makeTestWorkspace, repoRoot, resultsDir } from './integration/launchers/workspace';
import { type UiTest, uiTests } from './integration/ui';

const SUITE_TIMEOUT_MS = 15 * 60_000;

function countResults(log: string): { passed: number; failed: number } {
  const m = /integration: (\d+) passed, (\d+) failed/.exec(log);
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : { passed: 0, failed: 1 };
}

/** Runs UI tests one by one, each in a fresh workbench page of `session` with the extension in development mode. */
async function runUiTests(browser: Browser, session: CodeServerSession, workspace: string, tests: UiTest[]): Promise<{ passed: number; failed: number }> {
  const shots = resultsDir();
  let passed = 0;
  let failed = 0;
  for (const test of tests) {
    const uiPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await uiPage.goto(session.url(workbenchQuery(session, workspace)));
      await test.run({
        page: uiPage,
        workspace,
        codeServerPid: session.pid,
        screenshot: (name) => uiPage.screenshot({ path: path.join(shots, `${name}.png`) }).then(() => undefined),
      });
      console.log(`  ✔ ui: ${test.name}`);
      passed++;
    } catch (error) {
      console.log(`  ✘ ui: ${test.name}\n    ${(error as Error).message.split('\n').join('\n    ')}`);
      await uiPage.screenshot({ path: path.join(shots, `FAILED-${test.name.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
      failed++;
    } finally {
      await uiPage.close();
    }
  }
  return { passed, failed };
}

async function main(): Promise<number> {
  const { workspace, scratch, logFile } = makeTestWorkspace();
  const env = { ...process.env, LORA_LENS_TEST_LOG: logFile, LORA_LENS_TEST_WORKSPACE: workspace };
  const choice = process.env.LORA_LENS_VSCODE ?? 'auto';
  const desktop = choice === 'code-server' ? undefined : findDesktopVSCode();
  if (choice === 'electron' && !desktop) {
    console.error('LORA_LENS_VSCODE=electron but no desktop VS Code found (set VSCODE_EXECUTABLE).');
    return 1;
  }

  if (desktop) {
    console.log(`integration: real VS Code desktop via @vscode/test-electron (${desktop})`);
    const code = await runWithElectron(desktop, workspace, env);
    const { passed, failed } = countResults(fs.readFileSync(logFile, 'utf8'));
    console.log(`${passed} passed, ${failed + (code !== 0 && failed === 0 ? 1 : 0)} failed`);
    return code;
  }

  if (!chromiumAvailable()) {
    console.error('integration: no desktop VS Code and no /usr/bin/chromium: install Debian chromium (see .ci/run).');
    return 1;
  }
  console.log(`integration: real VS Code ${'1.100'} via code-server ${CODE_SERVER_VERSION} + Debian chromium + playwright-core, on 127.0.0.1`);
  const session = await startCodeServer({ scratch, env });
  const browser = await launchBrowser();
  const shots = resultsDir();
  let passed = 0;
  let failed = 0;
  try {
    // Phase 1: the extension-host mocha suite.
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const testsPath = path.join(repoRoot, 'out', 'test', 'integration', 'index.js');
    let exitCode: number;
    try {
      exitCode = await runExtensionHostSuite(page, session.url(workbenchQuery(session, workspace, testsPath)), SUITE_TIMEOUT_MS);
    } catch (error) {
      console.error(`integration: ${(error as Error).message}`);
      exitCode = 1;
    }
    await page.screenshot({ path: path.join(shots, 'extension-host-suite.png') }).catch(() => undefined);
    const log = fs.readFileSync(logFile, 'utf8');
    process.stdout.write(log);
    const counts = countResults(log);
    passed += counts.passed;
    failed += counts.failed + (exitCode !== 0 && counts.failed === 0 ? 1 : 0);
    await page.close();

    // Phase 2: UI tests, each in a fresh workbench page with the extension in development mode.
    const grep = process.env.LORA_LENS_TEST_GREP;
    const selected = uiTests.filter((test) => !grep || test.name.includes(grep));
    const ui = await runUiTests(browser, session, workspace, selected.filter((test) => !test.trust));
    passed += ui.passed;
    failed += ui.failed;

    // Phase 3: UI tests of Restricted Mode, in a second code-server with Workspace Trust enabled.
    const restricted = selected.filter((test) => test.trust === 'restricted');
    if (restricted.length > 0) {
      const restrictedScratch = path.join(scratch, 'restricted');
      fs.mkdirSync(restrictedScratch);
      const restrictedSession = await startCodeServer({ scratch: restrictedScratch, env, trust: true });
      try {
        const counts = await runUiTests(browser, restrictedSession, workspace, restricted);
        passed += counts.passed;
        failed += counts.failed;
      } finally {
        await restrictedSession.stop();
        fs.copyFileSync(path.join(restrictedScratch, 'code-server.log'), path.join(shots, 'code-server-restricted.log'));
      }
    }
  } finally {
    await browser.close();
    await session.stop();
    fs.copyFileSync(path.join(scratch, 'code-server.log'), path.join(shots, 'code-server.log'));
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`integration: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
