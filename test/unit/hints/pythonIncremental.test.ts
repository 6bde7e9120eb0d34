/**
 * The incremental Python path (one parser per document: tree reuse, statement summaries, cached
 * per-statement findings, memoised hint rendering) must give exactly what a from-scratch analysis
 * of the same text gives, after any sequence of edits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPythonParser, type PythonModelParser } from '../../../src/formats/python';
import { computePythonHints } from '../../../src/hints/pythonHints';
import { syntheticModelSource } from '../../fixtures/python/synthetic';
import { link, wasmPaths } from './helpers';
import { fromScratch, materialize } from './materialize';

/** Deterministic pseudo-random numbers in [0, n). */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => (state = (state * 1103515245 + 12345) % 2 ** 31) % n;
}

/** Spots where an edit changes what the reader reports, beside purely random ones. */
const ANCHORS = [/HIDDEN = \d+/g, /nn\.Linear\(/g, /\(nn\.Module\)/g, /r=RANK/g, /encoder_layer_\d+/g, /import torch\.nn as nn/g, /^class /gm, /FF\)/g, /range\(DEPTH\)/g];
const PIECES = [
  '1', ' + 2', ' * 2', '0', 'é', '😀', '\n', '\n\n', '\r\n', '    ', '(', ')', '"""', '#', ',', 'x',
  'nn.Linear(3, 4)', 'HIDDEN', 'FF = 7\n', 'DEPTH = 2\n', 'import torch.nn as tnn\n', 'from torch.nn import Linear as L\n',
  'L(5, 6)', 'class Extra(Block1):\n    def __init__(self):\n        self.q_proj = nn.Linear(HIDDEN, 8)\n\n', '',
];

/** One random edit: at an anchor or anywhere, inserting a piece and sometimes deleting a few characters. */
function edit(text: string, rand: (n: number) => number): string {
  let at = rand(text.length + 1);
  if (rand(2) === 0) {
    const spots = [...text.matchAll(ANCHORS[rand(ANCHORS.length)]!)];
    if (spots.length > 0) {
      const m = spots[rand(spots.length)]!;
      at = m.index! + rand(m[0].length + 1);
    }
  }
  let cut = Math.min(text.length, at + (rand(3) === 0 ? rand(12) : 0));
  // Keep surrogate pairs whole so the document stays valid UTF-16.
  if (at > 0 && at < text.length && /[\uDC00-\uDFFF]/.test(text[at]!)) at--;
  if (cut < text.length && /[\uDC00-\uDFFF]/.test(text[cut]!)) cut++;
  return text.slice(0, at) + PIECES[rand(PIECES.length)] + text.slice(cut);
}

async function checkSequence(parser: PythonModelParser, start: string, edits: number, seed: number, label: string): Promise<void> {
  const rand = random(seed);
  let text = start;
  parser.analyze(text);
  for (let i = 0; i < edits; i++) {
    text = edit(text, rand);
    const findings = parser.analyze(text);
    const hints = materialize(computePythonHints(findings, text, { targetDepthSetting: null, link }));
    const expected = await fromScratch(text);
    assert.deepEqual(findings, expected.findings, `${label}: findings after edit ${i}`);
    assert.deepEqual(hints, expected.hints, `${label}: hints after edit ${i}`);
  }
}

describe('incremental Python analysis and hints equal a from-scratch computation', () => {
  it('over a random edit sequence on the synthetic 2,000-line file', async () => {
    const source = syntheticModelSource(2000);
    for (const seed of [1]) {
      const parser = await createPythonParser(wasmPaths);
      await checkSequence(parser, source, 6, seed, `2,000 lines, seed ${seed}`);
      parser.dispose();
    }
  });

  it('over many random edit sequences on a 150-line file', async () => {
    const source = syntheticModelSource(150);
    for (let seed = 10; seed < 16; seed++) {
      const parser = await createPythonParser(wasmPaths);
      await checkSequence(parser, source, 12, seed, `150 lines, seed ${seed}`);
      parser.dispose();
    }
  });

  it('over edit sequences that keep the file valid, at statement boundaries (segments re-cut, widened, merged)', async () => {
    // Edits at the start of top-level lines: where the document is cut into separately parsed segments.
    const pieces = [
      'X = 1\n', '# note\n', '\n', '    # indented note\n', 'import torch.nn as nn\n', 'HIDDEN = 512\n',
      '@staticmethod\n', 'if True:\n    pass\n', 'class Late(nn.Module):\n    pass\n',
    ];
    const source = syntheticModelSource(2000);
    const parser = await createPythonParser(wasmPaths);
    const rand = random(99);
    let text = source;
    parser.analyze(text);
    for (let i = 0; i < 6; i++) {
      const starts = [...text.matchAll(/^(?=\S)/gm)].map((m) => m.index!);
      const at = starts[rand(starts.length)]!;
      const op = rand(4);
      if (op === 0) {
        // Delete one whole top-level line.
        const end = text.indexOf('\n', at);
        text = text.slice(0, at) + text.slice(end < 0 ? text.length : end + 1);
      } else if (op === 1) {
        text = text.slice(0, at) + pieces[rand(pieces.length)] + text.slice(at);
      } else {
        // A digit inside a statement (changes a width or a name).
        const digit = text.indexOf('(', at);
        text = text.slice(0, digit + 1) + String(rand(10)) + text.slice(digit + 1);
      }
      const findings = parser.analyze(text);
      const expected = await fromScratch(text);
      assert.deepEqual(findings, expected.findings, `boundary edit ${i}`);
      assert.deepEqual(materialize(computePythonHints(findings, text, { targetDepthSetting: null, link })), expected.hints, `boundary edit ${i}`);
    }
    parser.dispose();
  });

  it('a changed module-level constant reaches every layer that uses it, unchanged statements stay shared', async () => {
    const parser = await createPythonParser(wasmPaths);
    const source = syntheticModelSource(200);
    const before = parser.analyze(source);
    const edited = source.replace('HIDDEN = 256', 'HIDDEN = 4096');
    const after = parser.analyze(edited);
    assert.deepEqual(after, (await fromScratch(edited)).findings);
    assert.ok(after.linears.some((l) => l.inFeatures === 4096));
    assert.ok(!after.linears.some((l) => l.inFeatures === 256));
    // A comment edit on the last line moves nothing: every finding object is reused as is.
    const commented = edited + '# end\n';
    const again = parser.analyze(commented);
    assert.ok(again.linears.every((l, i) => l === after.linears[i]));
    assert.notEqual(after.linears[0], before.linears[0]);
    parser.dispose();
  });

  it('a line inserted at the top moves every reused finding down by one line', async () => {
    const parser = await createPythonParser(wasmPaths);
    const source = syntheticModelSource(200);
    const before = parser.analyze(source);
    const moved = parser.analyze('\n' + source);
    assert.deepEqual(moved.linears.map((l) => l.range.start.line), before.linears.map((l) => l.range.start.line + 1));
    assert.deepEqual(moved, (await fromScratch('\n' + source)).findings);
    parser.dispose();
  });
});
