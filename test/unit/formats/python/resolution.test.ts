import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PythonModelParser } from '../../../../src/formats/python';
import { newParser } from './helpers';

let parser: PythonModelParser;
before(async () => { parser = await newParser(); });
after(() => parser.dispose());

/** The in/out features of the first Linear in `code`. */
function features(code: string): [unknown, unknown] {
  const f = parser.analyze(code);
  assert.equal(f.linears.length, 1, code);
  return [f.linears[0]!.inFeatures, f.linears[0]!.outFeatures];
}

const unresolvedText = (v: unknown) => (v as { unresolved: string }).unresolved;

describe('python resolution', () => {
  it('evaluates int arithmetic as Python does', () => {
    assert.deepEqual(features('import torch.nn as nn\nA = 7\nB = -A // 2\nnn.Linear(B, A % -3)\n'), [-4, -2]);
    assert.deepEqual(features('import torch.nn as nn\nnn.Linear(2 ** 10, (3 + 5) * 2 - 1)\n'), [1024, 15]);
    assert.deepEqual(features('import torch.nn as nn\nnn.Linear(0x10, 1_000)\n'), [16, 1000]);
  });

  it('refuses floats, bools and huge ints where an int is expected', () => {
    const [a, b] = features('import torch.nn as nn\nnn.Linear(4.0, True)\n');
    assert.equal(unresolvedText(a), '4.0');
    assert.equal(unresolvedText(b), 'True');
    const [c] = features('import torch.nn as nn\nnn.Linear(2 ** 80, 1)\n');
    assert.match((c as { reason: string }).reason, /too large/);
  });

  it('constants: chained, annotated, and referring to each other', () => {
    const f = parser.analyze('A = B = 3\nC: int = A * B\nD = [C, "x"]\nE = {"k": C}\n');
    assert.deepEqual(f.constants.map((c) => [c.name, c.value]), [
      ['A', 3], ['B', 3], ['C', 9], ['D', [9, 'x']], ['E', { dict: [['k', 9]] }],
    ]);
  });

  it('a name bound anywhere else (loop, parameter, import, global) is not a constant', () => {
    const code = [
      'import torch.nn as nn', 'from cfg import IMP', 'LOOP = 1', 'PARAM = 2', 'IMP = 3', 'G = 4', 'OK = 5',
      'for LOOP in range(3):', '    pass', 'def f(PARAM):', '    global G', '    G = 1',
      'nn.Sequential(nn.Linear(LOOP, PARAM), nn.Linear(IMP, G), nn.Linear(OK, OK))', '',
    ].join('\n');
    const f = parser.analyze(code);
    assert.deepEqual(f.constants.map((c) => c.name), ['OK']);
    assert.deepEqual(f.linears.map((l) => [typeof l.inFeatures, typeof l.outFeatures]), [
      ['object', 'object'], ['object', 'object'], ['number', 'number'],
    ]);
  });

  it('self-referencing constants do not loop', () => {
    const [a] = features('import torch.nn as nn\nA = B + 1\nB = A + 1\nnn.Linear(A, 2)\n');
    assert.match((a as { reason: string }).reason, /refers to itself/);
  });

  it('recognises callees through imports and refuses rebound names', () => {
    assert.equal(parser.analyze('from torch.nn import Linear as L\nL(3, 4)\n').linears.length, 1);
    assert.equal(parser.analyze('import torch\ntorch.nn.Linear(3, 4)\n').linears.length, 1);
    assert.equal(parser.analyze('from torch import nn as tnn\ntnn.Linear(3, 4)\n').linears.length, 1);
    assert.equal(parser.analyze('Linear(3, 4)\n').linears.length, 0); // bare without import: unknown
    assert.equal(parser.analyze('import numpy as nn\nnn.Linear(3, 4)\n').linears.length, 0);
    assert.equal(parser.analyze('from peft.tuners.lora import LoraConfig as LC\nLC(r=4)\n').loraConfigs[0]!.r!.value, 4);
  });

  it('strings: escapes, raw, concatenation; f-strings are unresolved', () => {
    const f = parser.analyze('LoraConfig(target_modules="a\\\\.b" r"\\d", layers_pattern=f"{x}")\n');
    assert.equal(f.loraConfigs[0]!.targetModules!.value, 'a\\.b\\d');
    assert.match((f.loraConfigs[0]!.layersPattern!.value as { reason: string }).reason, /f-string/);
  });

  it('*args and **kwargs hide arguments instead of shifting them', () => {
    const f = parser.analyze('import torch.nn as nn\nnn.Linear(*dims)\nnn.Linear(3, **kw)\n');
    assert.match((f.linears[0]!.inFeatures as { reason: string }).reason, /\*args/);
    assert.equal(f.linears[1]!.inFeatures, 3);
    assert.match((f.linears[1]!.outFeatures as { reason: string }).reason, /\*\*kwargs/);
  });

  it('Sequential width mismatches, OrderedDict names, and unknown entries', () => {
    const f = parser.analyze([
      'import torch.nn as nn', 'from collections import OrderedDict',
      'a = nn.Sequential(nn.Linear(4, 8), nn.Linear(9, 2), block)',
      "b = nn.Sequential(OrderedDict([('fc1', nn.Linear(2, 3)), ('act', nn.Tanh())]))", '',
    ].join('\n'));
    const [a, b] = f.stacks;
    assert.deepEqual(a!.mismatches.map((m) => [m.previousOut, m.nextIn]), [[8, 9]]);
    assert.equal(a!.layers[2]!.kind, 'unknown');
    assert.deepEqual(b!.layers.map((l) => l.kind), ['linear', 'activation']);
    assert.equal(f.linears[2]!.modulePath, 'fc1');
  });

  it('a repeat with an unresolved count leaves depth unresolved', () => {
    const f = parser.analyze('import torch.nn as nn\nnn.Sequential(*[nn.Linear(8, 8) for _ in range(n)])\n');
    assert.equal(unresolvedText(f.stacks[0]!.depth), 'n');
    assert.deepEqual(f.stacks[0]!.widths, [8, 8]);
  });
});
