import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

/** A throw-away workspace holding a copy of the bundled examples, so tests never touch repo files. */
export function makeTestWorkspace(): { workspace: string; scratch: string; logFile: string } {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lora-lens-it-'));
  const workspace = path.join(scratch, 'workspace');
  const examples = path.join(repoRoot, 'examples');
  if (fs.existsSync(examples)) fs.cpSync(examples, workspace, { recursive: true });
  else fs.mkdirSync(workspace);
  const logFile = path.join(scratch, 'mocha.log');
  fs.writeFileSync(logFile, '');
  return { workspace, scratch, logFile };
}

export function resultsDir(): string {
  const dir = path.join(repoRoot, 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
