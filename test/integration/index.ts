/**
 * Entry point VS Code loads as `extensionTestsPath`: runs every `suite/*.test.js` with mocha INSIDE the
 * extension host. The same file serves both launchers (code-server + playwright, and
 * @vscode/test-electron). The spec reporter's lines also go to the file named by LORA_LENS_TEST_LOG,
 * because a remote extension host's stdout is not the launcher's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import * as vscode from 'vscode';
import Mocha = require('mocha');

export function run(): Promise<void> {
  const logFile = process.env.LORA_LENS_TEST_LOG;
  const write = (line: string) => {
    process.stdout.write(line + '\n');
    if (logFile) fs.appendFileSync(logFile, line + '\n');
  };
  // Tests' own console.log lines (e.g. which VS Code ran) belong in the same log.
  const log = (...args: unknown[]) => write(format(...args));
  Mocha.reporters.Base.consoleLog = log;
  console.log = log;

  write(`integration: running in VS Code ${vscode.version} (${vscode.env.appName}, host ${vscode.env.appHost}, remote ${vscode.env.remoteName ?? 'none'})`);
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec' });
  const grep = process.env.LORA_LENS_TEST_GREP;
  if (grep) mocha.grep(grep);
  const suiteDir = path.join(__dirname, 'suite');
  for (const file of fs.readdirSync(suiteDir).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(suiteDir, file));
  }
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      write(`integration: ${runner.stats?.passes ?? 0} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
  });
}
