import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PythonModelParser, StackLayer } from '../../../../src/formats/python';
import { fixture, newParser, r, textAt } from './helpers';

let parser: PythonModelParser;
before(async () => { parser = await newParser(); });
after(() => parser.dispose());

const kinds = (layers: StackLayer[]) => layers.map((l) => (l.kind === 'activation' || l.kind === 'module' ? `${l.kind}:${l.name}` : l.kind));

describe('python findings: fixtures', () => {
  it('sequential MLP with module constants and arithmetic', () => {
    const f = parser.analyze(fixture('mlp_constants.py'));
    assert.deepEqual(f.constants.map((c) => [c.name, c.value]), [['WIDTH', 16], ['HIDDEN', 64], ['OUT', 4], ['NEG', -3], ['RATE', 0.5]]);
    assert.deepEqual(f.constants[2]!.valueRange, r(5, 6, 5, 31));
    assert.equal(f.linears.length, 2);
    const [a, b] = f.linears;
    assert.deepEqual([a!.inFeatures, a!.outFeatures, a!.bias], [16, 64, true]);
    assert.deepEqual(a!.range, r(10, 4, 10, 28));
    assert.deepEqual(a!.argumentRanges, { inFeatures: r(10, 14, 10, 19), outFeatures: r(10, 21, 10, 27) });
    assert.equal(b!.callee, 'torch.nn.Linear');
    assert.deepEqual([b!.inFeatures, b!.outFeatures, b!.bias], [64, 4, false]);
    assert.deepEqual(b!.argumentRanges.inFeatures, r(12, 20, 12, 38)); // keyword included
    assert.deepEqual(b!.argumentRanges.bias, r(12, 58, 12, 68));
    assert.equal(f.stacks.length, 1);
    const s = f.stacks[0]!;
    assert.equal(s.kind, 'sequential');
    assert.equal(s.name, 'model');
    assert.deepEqual(s.range, r(9, 8, 13, 1));
    assert.deepEqual(s.nameRange, r(9, 0, 9, 5));
    assert.deepEqual(kinds(s.layers), ['linear', 'activation:ReLU', 'linear']);
    assert.deepEqual(s.widths, [16, 64, 4]);
    assert.equal(s.depth, 2);
    assert.deepEqual(s.mismatches, []);
    assert.deepEqual([a!.modulePath, b!.modulePath], ['0', '2']);
  });

  it('nn.Module subclass, ModuleList comprehension and repeated Sequential', () => {
    const f = parser.analyze(fixture('module_class.py'));
    const cls = f.stacks.find((s) => s.kind === 'moduleClass')!;
    assert.equal(cls.name, 'Adapter');
    assert.deepEqual(cls.range, r(7, 0, 16, 50));
    assert.deepEqual(cls.nameRange, r(7, 6, 7, 13));
    assert.deepEqual(kinds(cls.layers), ['linear', 'activation:SiLU', 'linear', 'repeat']);
    assert.deepEqual(cls.widths, [32, 8, 32, 32, 32, 32]);
    assert.equal(cls.depth, 5);
    // `Linear` imported from torch.nn is recognised bare; the class without nn.Module base is not a stack.
    assert.equal(f.stacks.filter((s) => s.kind === 'moduleClass').length, 1);
    assert.deepEqual(f.linears.map((l) => l.modulePath), ['down', 'up', 'blocks.*', 'proj', '*']);
    assert.deepEqual(f.linears[0]!.range, r(10, 20, 10, 41));
    const list = f.stacks.find((s) => s.kind === 'moduleList')!;
    assert.equal(list.name, 'self.blocks');
    assert.deepEqual(list.widths, [32, 32, 32, 32]);
    assert.equal(list.depth, 3);
    const deep = f.stacks.find((s) => s.name === 'deep')!;
    assert.equal(deep.kind, 'sequential');
    assert.equal(deep.depth, 3);
    const repeat = deep.layers[0]!;
    assert.equal(repeat.kind, 'repeat');
    if (repeat.kind === 'repeat') {
      assert.equal(repeat.count, 3);
      assert.deepEqual(repeat.range, r(24, 22, 24, 66));
    }
  });

  it('attention and transformer layers, positional and keyword', () => {
    const f = parser.analyze(fixture('transformer.py'));
    assert.deepEqual(f.attention.map((a) => a.kind), [
      'multiheadAttention', 'multiheadAttention', 'transformerEncoderLayer', 'transformerEncoder',
      'transformerDecoderLayer', 'transformerDecoder',
    ]);
    const [mha, mhaKw, enc, encoder, dec, decoder] = f.attention;
    assert.ok(mha?.kind === 'multiheadAttention' && mhaKw?.kind === 'multiheadAttention');
    assert.deepEqual(mha.embedDim, { value: 512, range: r(5, 28, 5, 35), isDefault: false });
    assert.deepEqual(mha.kdim, { value: 256, range: r(5, 58, 5, 66), isDefault: false });
    assert.deepEqual(mha.vdim, { value: null, isDefault: true });
    assert.equal(mha.headDim, 64);
    assert.deepEqual(mhaKw.numHeads, { value: 5, range: r(6, 45, 6, 56), isDefault: false });
    assert.match((mhaKw.headDim as { reason: string }).reason, /not divisible/);
    assert.ok(enc?.kind === 'transformerEncoderLayer' && dec?.kind === 'transformerDecoderLayer');
    assert.deepEqual(enc.dimFeedforward, { value: 2048, range: r(7, 56, 7, 83), isDefault: false });
    assert.deepEqual(dec.dimFeedforward, { value: 2048, isDefault: true });
    assert.deepEqual(dec.dModel.range, r(9, 39, 9, 54));
    assert.ok(encoder?.kind === 'transformerEncoder' && decoder?.kind === 'transformerDecoder');
    assert.equal(encoder.layer.source, 'enc_layer');
    assert.equal(encoder.layer.finding, enc);
    assert.deepEqual(encoder.numLayers, { value: 6, range: r(8, 43, 8, 44), isDefault: false });
    assert.equal(decoder.layer.finding, dec);
    assert.equal(decoder.numLayers.value, 6);
  });

  it('LoraConfig variants: list, regex, rank_pattern, **kwargs', () => {
    const source = fixture('lora_configs.py');
    const f = parser.analyze(source);
    assert.equal(f.loraConfigs.length, 3);
    const [a, b, c] = f.loraConfigs;
    assert.deepEqual(a!.r, { value: 8, range: r(6, 15, 6, 21), valueRange: r(6, 17, 6, 21) });
    assert.equal(textAt(source, a!.r!.range), 'r=RANK');
    assert.equal(a!.loraAlpha!.value, 16);
    assert.deepEqual(a!.targetModules!.value, ['q_proj', 'v_proj']);
    assert.equal(a!.useRslora!.value, true);
    assert.equal(b!.callee, 'peft.LoraConfig');
    assert.equal(b!.targetModules!.value, '.*\\.layers\\.\\d+\\.(q|v)_proj');
    assert.deepEqual(b!.rankPattern!.value, [['q_proj', 4], ['v_proj', 16]]);
    assert.deepEqual(b!.rankPattern!.range, r(10, 4, 10, 50));
    assert.deepEqual(b!.layersToTransform!.value, [0, 1, 2]);
    assert.equal(b!.loraDropout!.value, 0.05);
    assert.equal(b!.useRslora, undefined);
    assert.equal(c!.hasKeywordSplat, true);
    assert.deepEqual(c!.r!.value, { unresolved: 'rank_from_cli', reason: 'rank_from_cli is not defined at module level' });
    assert.equal(c!.targetModules!.value, 'all-linear');
  });

  it('unresolved expressions carry their source text, never a guess', () => {
    const f = parser.analyze(fixture('unresolved.py'));
    const [inBuild, x, y, z] = f.linears;
    assert.deepEqual(inBuild!.inFeatures, { unresolved: 'width', reason: 'width is not a module-level constant' });
    assert.equal((inBuild!.outFeatures as { unresolved: string }).unresolved, 'SHADOWED');
    assert.deepEqual(x!.inFeatures, { unresolved: 'TWICE', reason: 'TWICE is assigned 2 times' });
    assert.equal((x!.outFeatures as { unresolved: string }).unresolved, 'SIZE');
    assert.deepEqual(y!.inFeatures, { unresolved: '16 / 2', reason: 'expected an int, got a float' });
    assert.equal(y!.outFeatures, 9);
    assert.equal((z!.inFeatures as { unresolved: string }).unresolved, 'config.hidden');
    assert.equal(z!.outFeatures, 4); // -(-7 // 2): floor division as in Python
    assert.deepEqual(f.constants.map((c) => c.name), []);
  });

  it('non-ASCII text before a call: characters are UTF-16 code units', () => {
    const source = fixture('non_ascii.py');
    const f = parser.analyze(source);
    // `layer = "é😀"; proj = ` is 22 UTF-16 units (25 UTF-8 bytes).
    assert.deepEqual(f.linears[0]!.range, r(3, 22, 3, 37));
    assert.deepEqual(f.linears[0]!.argumentRanges.outFeatures, r(3, 35, 3, 36));
    assert.equal(textAt(source, f.linears[0]!.range), 'nn.Linear(4, 2)');
    assert.deepEqual(f.constants[0], { name: 'layer', value: 'é😀', range: r(3, 0, 3, 5), valueRange: r(3, 8, 3, 13) });
  });

  it('a syntax error in the middle still reports what parses around it', () => {
    const f = parser.analyze(fixture('syntax_error.py'));
    assert.deepEqual(f.linears.map((l) => [l.inFeatures, l.outFeatures, l.range]), [
      [8, 4, r(4, 8, 4, 23)],
      [4, 8, r(9, 9, 9, 24)],
    ]);
    assert.ok(f.syntaxErrors.length >= 1);
    for (const e of f.syntaxErrors) assert.ok(e.range.start.line >= 6 && e.range.end.line <= 7, JSON.stringify(e));
    assert.ok(f.syntaxErrors.some((e) => e.kind === 'missing' && e.missing === ')'));
  });
});
