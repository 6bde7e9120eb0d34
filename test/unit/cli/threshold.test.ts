/**
 * The CLI's answers and errors. Most cases run `runCli` in-process (fast); the last suite runs the
 * real `node` process to check exit codes and stderr as scripts see them.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';

const CLI = path.resolve(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t), errIsTty: false });
  return { code, out, err };
}

function spawnCli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function json(...args: string[]) {
  const r = await cli(...args, '--json');
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out);
}

describe('lora-lens threshold fnn', () => {
  it('W1: D=16, L=4, L̄=2 → M=2, partition [[1,2],[3,4]], R=8', async () => {
    const a = await json('threshold', 'fnn', '--width', '16', '--depth', '4', '--target-depth', '2');
    assert.equal(a.requiredRank, 8);
    assert.equal(a.depthRatio, 2);
    assert.deepEqual(a.partition, [[1, 2], [3, 4]]);
    assert.equal(a.guarantee, 'exact');
    assert.equal(typeof a.rule, 'string');
  });

  it('W2: D=16, L=8, L̄=1 → R=2, 512 LoRA parameters', async () => {
    const a = await json('threshold', 'fnn', '--width=16', '--depth=8', '--target-depth=1');
    assert.equal(a.requiredRank, 2);
    assert.equal(a.depthRatio, 8);
    assert.equal(a.loraParameters, 512);
  });

  it('W3: D=16, L=5, L̄=2 → guaranteed 8 (headline ⌈6.4⌉ = 7 is not guaranteed)', async () => {
    const a = await json('threshold', 'fnn', '--width', '16', '--depth', '5', '--target-depth', '2');
    assert.equal(a.requiredRank, 8);
    assert.equal(a.headlineCeil, 7);
    assert.deepEqual(a.partition, [[1, 2], [3, 4, 5]]);
  });

  it('W4: D=16, L=3, L̄=1 → 6', async () => {
    assert.equal((await json('threshold', 'fnn', '--width', '16', '--depth', '3', '--target-depth', '1')).requiredRank, 6);
  });

  it('W11: L̄ = L = 3, one layer differs by rank 2 → 2', async () => {
    const a = await json('threshold', 'fnn', '--width', '16', '--depth', '3', '--target-depth', '3', '--ranks', '0,2,0');
    assert.equal(a.requiredRank, 2);
    assert.equal(a.depthRatio, 1);
  });

  it('discrepancy ranks of the uniform blocks: max ⌈rank/|P_i|⌉', async () => {
    const a = await json('threshold', 'fnn', '--width', '16', '--depth', '5', '--target-depth', '2', '--ranks', '3,16');
    assert.equal(a.requiredRank, 6); // block 2 has 3 layers: ⌈16/3⌉ = 6; block 1: ⌈3/2⌉ = 2
  });

  it('prints a readable table with the rule and guarantee', async () => {
    const r = await cli('threshold', 'fnn', '--width', '16', '--depth', '5', '--target-depth', '2');
    assert.equal(r.code, 0);
    assert.match(r.out, /required LoRA rank\s+8  — exact/);
    assert.match(r.out, /uniform partition\s+\[1 2\] \[3 4 5\]/);
    assert.match(r.out, /headline D·L̄\/L\s+6\.40/);
  });
});

describe('lora-lens threshold transformer', () => {
  it('W7: D = 16, 768, 1024, 7 → 8, 384, 512, 4', async () => {
    for (const [d, r] of [[16, 8], [768, 384], [1024, 512], [7, 4]]) {
      assert.equal((await json('threshold', 'transformer', '--embedding', String(d))).requiredRank, r);
    }
  });

  it('W7: gaps 5,3,6 → 3', async () => {
    const a = await json('threshold', 'transformer', '--embedding', '16', '--gaps', '5,3,6');
    assert.equal(a.requiredRank, 3);
    assert.equal(a.guarantee, 'exact');
  });
});

describe('lora-lens bad arguments', () => {
  const cases: [string, string[], RegExp][] = [
    ['L̄ > L', ['threshold', 'fnn', '--width', '16', '--depth', '2', '--target-depth', '3'], /target depth/i],
    ['missing option', ['threshold', 'fnn', '--width', '16', '--depth', '2'], /missing --target-depth/],
    ['non-numeric', ['threshold', 'fnn', '--width', 'sixteen', '--depth', '2', '--target-depth', '1'], /--width must be a whole number/],
    ['zero width', ['threshold', 'fnn', '--width', '0', '--depth', '2', '--target-depth', '1'], /--width must be at least 1/],
    ['unknown option', ['threshold', 'fnn', '--widht', '16'], /unknown option --widht/],
    ['wrong number of ranks', ['threshold', 'fnn', '--width', '16', '--depth', '4', '--target-depth', '2', '--ranks', '3'], /one discrepancy rank per target layer/],
    ['rank above width', ['threshold', 'fnn', '--width', '16', '--depth', '4', '--target-depth', '2', '--ranks', '3,17'], /at most 16/],
    ['unknown model kind', ['threshold', 'cnn'], /unknown model kind 'cnn'/],
    ['unknown command', ['thresold'], /unknown command 'thresold'/],
    ['bad gaps list', ['threshold', 'transformer', '--embedding', '16', '--gaps', '5,,6'], /comma-separated list/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: one line on stderr, exit code 2, no stack trace`, async () => {
      const r = await cli(...args);
      assert.equal(r.code, 2);
      assert.equal(r.out, '');
      assert.match(r.err, message);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.doesNotMatch(r.err, /\n\s+at /);
    });
  }
});

describe('lora-lens as a process', () => {
  it('bad arguments: exit code 2 and one line on stderr', () => {
    const r = spawnCli('threshold', 'fnn', '--width', '16', '--depth', '2', '--target-depth', '3');
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
  });
  it('--json answers on stdout with exit code 0', () => {
    const r = spawnCli('threshold', 'transformer', '--embedding', '768', '--json');
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).requiredRank, 384);
  });
  it('--version prints the package version', () => {
    const r = spawnCli('--version');
    assert.equal(r.code, 0);
    assert.equal(r.out.trim(), require('../../../package.json').version);
  });
  it('--help lists the commands', () => {
    const r = spawnCli('--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /Usage: lora-lens <command>/);
    assert.match(r.out, /threshold/);
    assert.match(r.out, /analyze/);
  });
  it('<command> --help prints that command\'s usage', async () => {
    const r = await cli('analyze', '--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /lora-lens analyze <base>/);
    assert.doesNotMatch(r.out, /lora-lens threshold fnn/);
  });
});

describe('lora-lens inspect (dispatch)', () => {
  const examples = path.resolve(__dirname, '..', '..', '..', '..', 'examples');
  it('reads a bundled checkpoint folder through the CLI entry point', async () => {
    const r = await cli('inspect', path.join(examples, 'tiny-llama-base'), '--json');
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out);
    assert.ok(JSON.stringify(summary).includes('model.layers.0.self_attn.q_proj'));
  });
  it('a missing path: one line naming it, exit code 2', async () => {
    const r = await cli('inspect', path.join(examples, 'no-such-model'));
    assert.equal(r.code, 2);
    assert.match(r.err, /no-such-model/);
    assert.equal(r.err.trim().split('\n').length, 1);
  });
});
