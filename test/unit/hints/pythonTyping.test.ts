/**
 * Typing key by key through transient syntax errors, with the reuse rules that keep it fast:
 * - an edit in a segment that already has syntax errors parses only the whole document (the
 *   segment is kept in step, and its tree is handed on when clean segments are cut again);
 * - statements inside blocks (a method, a line of `__init__`) are copied from the previous read
 *   when their text, column, mode and depth are the same and neither copy holds a syntax error.
 * Every step must equal a from-scratch analysis.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPythonParser, type PythonModelParser } from '../../../src/formats/python';
import { computePythonHints } from '../../../src/hints/pythonHints';
import { syntheticModelSource } from '../../fixtures/python/synthetic';
import { link, wasmPaths } from './helpers';
import { fromScratch, materialize } from './materialize';

async function checkStep(parser: PythonModelParser, text: string, label: string): Promise<void> {
  const findings = parser.analyze(text);
  const expected = await fromScratch(text);
  assert.deepEqual(findings, expected.findings, `${label}: findings`);
  assert.deepEqual(materialize(computePythonHints(findings, text, { targetDepthSetting: null, link })), expected.hints, `${label}: hints`);
}

/** Types `insert` one key at a time at offset `at` of `text`; returns the final text. */
async function typeAt(parser: PythonModelParser, text: string, at: number, insert: string, label: string): Promise<string> {
  let current = text;
  for (let c = 1; c <= insert.length; c++) {
    current = text.slice(0, at) + insert.slice(0, c) + text.slice(at);
    await checkStep(parser, current, `${label}, key ${c}`);
  }
  return current;
}

describe('typing through transient syntax errors equals a from-scratch analysis at every key', () => {
  it('in the same place, then elsewhere, then back (segments dirty, fixed, cut again with their trees)', async () => {
    const parser = await createPythonParser(wasmPaths);
    let text = syntheticModelSource(300);
    parser.analyze(text);
    const spot = (n: number) => [...text.matchAll(/nn\.Linear\(HIDDEN, FF/g)][n]!;
    const end = (m: RegExpMatchArray) => m.index! + m[0].length;
    text = await typeAt(parser, text, end(spot(0)), ' * 2 + 1 - 1', 'first place');
    text = await typeAt(parser, text, end(spot(0)) + ' * 2 + 1 - 1'.length, ' + (3', 'first place, unclosed bracket');
    text = await typeAt(parser, text, end(spot(3)), ' + 1', 'another place while the first still has an error');
    // Close the bracket: the document is clean again.
    text = await typeAt(parser, text, end(spot(0)) + ' * 2 + 1 - 1 + (3'.length, ')', 'closing the bracket');
    text = await typeAt(parser, text, end(spot(0)), ' - 2', 'the first place again');
    // A broken line in one method while the other method of the class is unchanged (reused copy).
    const forward = text.indexOf('    def forward(self, x, mask=None):');
    text = await typeAt(parser, text, forward, '    def helper(self):\n        return nn.Linear(FF, ', 'a half-typed method');
    parser.dispose();
  });

  it('the same block statement text at another indentation, and with an error, is read afresh', async () => {
    const method = 'def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(4, 8)\n';
    const clean = `import torch.nn as nn\n\n\nclass A(nn.Module):\n    ${method}`;
    const parser = await createPythonParser(wasmPaths);
    await checkStep(parser, clean, 'one class');
    // The same method text one level deeper (a class inside a function): another column, so
    // another tree; in the Python file the lines keep their absolute indentation.
    const nested = `${clean}\n\ndef build():\n    class B(nn.Module):\n        ${method}    return B\n`;
    await checkStep(parser, nested, 'nested class');
    // The method text again, now followed by a broken line inside its own block.
    const broken = `${clean}        self.out = nn.Linear(8, (\n`;
    await checkStep(parser, broken, 'broken line after the method body');
    await checkStep(parser, `${clean}        self.out = nn.Linear(8, 2)\n`, 'fixed');
    await checkStep(parser, clean, 'back to one class');
    parser.dispose();
  });
});
