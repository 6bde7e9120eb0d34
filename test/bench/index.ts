/**
 * `npm run bench`: every benchmark in this folder (`<name>.bench.ts` exporting `run…Bench(log)`), in
 * sequence so they do not compete for the 2 cores. `npm run bench -- linalg python` runs a subset.
 * Speed and memory targets are checked here, not in tests; numbers go to the README's Performance section.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

type Bench = (log: (line: string) => void) => Promise<void>;

async function main(): Promise<number> {
  const only = process.argv.slice(2);
  const names = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .map((f) => f.replace(/\.bench\.js$/, ''))
    .filter((n) => only.length === 0 || only.includes(n))
    .sort();
  console.log(`LoRA Lens benchmarks on ${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  let failed = 0;
  for (const name of names) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(__dirname, `${name}.bench.js`)) as Record<string, unknown>;
    const run = Object.entries(mod).find(([key, value]) => /^run\w*Bench$/.test(key) && typeof value === 'function')?.[1] as Bench | undefined;
    if (!run) {
      console.log(`\n== ${name}: no run…Bench export, skipped`);
      continue;
    }
    console.log(`\n== ${name}`);
    const started = Date.now();
    try {
      await run((line) => console.log(`  ${line}`));
      console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed++;
      console.log(`  FAILED: ${(error as Error).stack ?? error}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
