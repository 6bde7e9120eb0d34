/**
 * The @vscode/test-electron launcher, used where a desktop VS Code is already on the machine
 * (VSCODE_EXECUTABLE, or a build cached in .vscode-test/ by an earlier download). It never downloads:
 * tests must not reach outside the package registries.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from './workspace';

export function findDesktopVSCode(): string | undefined {
  const fromEnv = process.env.VSCODE_EXECUTABLE;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  const cache = path.join(repoRoot, '.vscode-test');
  if (!fs.existsSync(cache)) return undefined;
  for (const entry of fs.readdirSync(cache)) {
    const candidate = path.join(cache, entry, 'code');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function runWithElectron(executable: string, workspace: string, env: NodeJS.ProcessEnv): Promise<number> {
  try {
    return await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--no-sandbox'],
      extensionTestsEnv: env,
    });
  } catch (error) {
    console.error(`test-electron: ${(error as Error).message}`);
    return 1;
  }
}
