/**
 * Runs the extension-host mocha suite in code-server 4.100.3 (real VS Code 1.100, Node extension host),
 * driven by playwright-core on Debian's chromium, on loopback only. Recipe: design.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './workspace';

export const CODE_SERVER_VERSION = '4.100.3';
const CHROMIUM = process.env.LORA_LENS_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic',
];

export function codeServerDir(): string {
  const cache = process.env.LORA_LENS_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'lora-lens');
  return path.join(cache, `code-server-${CODE_SERVER_VERSION}`);
}

/** Installs code-server into the cache (from the npm registry) unless a finished install is there. */
export function ensureCodeServer(): string {
  const dir = codeServerDir();
  if (!fs.existsSync(path.join(dir, '.installed'))) {
    const r = spawnSync('bash', [path.join(repoRoot, 'scripts', 'install-code-server.sh')], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('installing code-server failed (scripts/install-code-server.sh)');
  }
  return path.join(dir, 'node_modules', 'code-server');
}

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface CodeServerSession {
  port: number;
  /** Process id of code-server (its extension hosts, and their engines, are descendants). */
  pid: number;
  url(query: string): string;
  remote(absPath: string): string;
  stop(): Promise<void>;
}

/** Starts code-server on 127.0.0.1 and resolves once it says it is listening. */
export async function startCodeServer(opts: { scratch: string; env: NodeJS.ProcessEnv; trust?: boolean }): Promise<CodeServerSession> {
  const csDir = ensureCodeServer();
  const port = await freePort();
  const userData = path.join(opts.scratch, 'user-data');
  const extensions = path.join(opts.scratch, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  // Keep the workbench quiet and deterministic for tests.
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'security.workspace.trust.enabled': opts.trust ?? false,
  }, null, 2));
  const args = [
    path.join(csDir, 'out', 'node', 'entry.js'),
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', userData, '--extensions-dir', extensions,
    '--disable-telemetry', '--disable-update-check',
    ...(opts.trust ? [] : ['--disable-workspace-trust']),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const serverLog = fs.createWriteStream(path.join(opts.scratch, 'code-server.log'));
  child.stdout?.pipe(serverLog);
  child.stderr?.pipe(serverLog);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('HTTP server listening on')) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`code-server exited early with code ${code}; see ${opts.scratch}/code-server.log`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    port,
    pid: child.pid ?? -1,
    url: (query) => `${base}/${query}`,
    remote: (absPath) => `vscode-remote://127.0.0.1:${port}${absPath}`,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Opens the workbench with our extension in development mode (and optionally the test runner). */
export function workbenchQuery(session: CodeServerSession, workspace: string, testsPath?: string): string {
  const payload: [string, string][] = [['extensionDevelopmentPath', session.remote(repoRoot)]];
  if (testsPath) payload.push(['extensionTestsPath', session.remote(testsPath)]);
  return `?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/**
 * Runs the extension-host suite: the workbench calls window.codeAutomationExit(code) when mocha is done.
 * Resolves with that exit code, or rejects after `timeoutMs` (so a hung workbench cannot hang CI).
 */
export async function runExtensionHostSuite(page: Page, url: string, timeoutMs: number): Promise<number> {
  let finish: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (finish = resolve));
  await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
  await page.goto(url);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`extension-host suite did not finish within ${timeoutMs / 1000}s`)), timeoutMs);
  });
  try {
    return await Promise.race([exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
