/** `lora-lens validate`: JSON shape, text table, bad arguments (exit 2, one line). */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { parseRankList } from '../../../src/cli/commands/validate';

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t), errIsTty: false });
  return { code, out, err };
}

describe('lora-lens validate', () => {
  it('--json: threshold and curves {method, bias, rank, medianTestMse, perSeed} for construction and gradient', async () => {
    const r = await cli('validate', '--width', '4', '--frozen-depth', '2', '--target-depth', '1', '--ranks', '1-2', '--seeds', '2',
      '--methods', 'construction,gradient', '--steps', '3', '--batch-size', '8', '--learning-rates', '0.01', '--test-samples', '50', '--backend', 'cpu', '--json');
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.equal(json.threshold, 2);
    assert.equal(json.backend.name, 'cpu');
    assert.equal(json.curves.length, 4);
    for (const p of json.curves) {
      assert.ok(['construction', 'gradient'].includes(p.method));
      assert.equal(p.bias, 'tunable');
      assert.ok([1, 2].includes(p.rank));
      assert.equal(typeof p.medianTestMse, 'number');
      assert.equal(p.perSeed.length, 2);
    }
    assert.equal(json.trainingSteps, 2 * 2 * 3);
    const exact = json.curves.find((p: { method: string; rank: number }) => p.method === 'construction' && p.rank === 2);
    assert.ok(exact.medianTestMse < 1e-8);
  });

  it('the built CLI trains seeds on parallel threads (--jobs 2) and gives what one thread gives', async (t) => {
    const bundle = path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');
    if (!fs.existsSync(bundle)) return t.skip('dist/cli.js not built (npm test builds it first)');
    const run = (jobs: string) => new Promise<{ code: number; out: string; err: string }>((resolve) => {
      execFile(process.execPath, [bundle, 'validate', '--width', '4', '--frozen-depth', '2', '--target-depth', '1', '--ranks', '1-3', '--seeds', '3',
        '--steps', '5', '--batch-size', '8', '--learning-rates', '0.01,0.001', '--test-samples', '50', '--backend', 'cpu', '--jobs', jobs, '--json'],
      (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }));
    });
    const [one, two] = [await run('1'), await run('2')];
    assert.equal(one.code, 0, one.err);
    assert.equal(two.code, 0, two.err);
    const strip = (text: string) => {
      const { seconds: _seconds, ...rest } = JSON.parse(text);
      return rest;
    };
    assert.deepEqual(strip(two.out), strip(one.out));
    assert.equal(strip(two.out).curves[0].perSeed.length, 3);
  });

  it('text: a table with the threshold marked', async () => {
    const r = await cli('validate', '--width', '4', '--frozen-depth', '2', '--target-depth', '1', '--methods', 'construction', '--seeds', '1', '--test-samples', '50');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /threshold R = 2/);
    assert.match(r.out, /^\s+2\*\s+\S+\s+◀ threshold$/m);
    assert.match(r.out, /rank\s+construction/);
  });

  for (const [args, pattern] of [
    [['--frozen-depth', '2', '--target-depth', '1'], /missing --width/],
    [['--width', '4', '--frozen-depth', '2', '--target-depth', '3'], /must not exceed/],
    [['--width', '4', '--frozen-depth', '2', '--target-depth', '1', '--methods', 'magic'], /unknown value 'magic'/],
    [['--width', '4', '--frozen-depth', '2', '--target-depth', '1', '--bias', 'sometimes'], /--bias must be/],
    [['--width', '4', '--frozen-depth', '2', '--target-depth', '1', '--ranks', '3-9'], /within 1…4/],
    [['--width', '4', '--frozen-depth', '2', '--target-depth', '1', '--backend', 'abacus'], /--backend must be/],
    [['--width', '4', '--frozen-depth', '2', '--target-depth', '1', '--learning-rates', '-1'], /learning-rates/],
    [['--width', '100', '--frozen-depth', '2', '--target-depth', '1'], /at most 64/],
    [['--width', '4', '--frozen-depth', '1', '--target-depth', '1', '--methods', 'final-layers'], /at least 2/],
    [['--width', '4', '--frozen-depth', '2', '--target-depth', '1', '--jobs', '0'], /--jobs must be at least 1/],
  ] as [string[], RegExp][]) {
    it(`exit 2, one line: ${args.join(' ')}`, async () => {
      const r = await cli('validate', ...args);
      assert.equal(r.code, 2);
      assert.match(r.err, pattern);
      assert.equal(r.err.trim().split('\n').length, 1);
      assert.equal(r.out, '');
    });
  }

  it('parseRankList: lists and ranges', () => {
    assert.deepEqual(parseRankList('1-3,8,2', 16), [1, 2, 3, 8]);
    assert.throws(() => parseRankList('4-2', 16), /range/);
  });
});
