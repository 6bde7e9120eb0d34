import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPythonParser, type PythonModelParser } from '../../../src/formats/python';
import { findTargetDepthDirective, resolveTargetDepth } from '../../../src/hints/directive';
import { computePythonHints } from '../../../src/hints/pythonHints';
import { link, readExample, wasmPaths } from './helpers';

describe('Python hints (examples/python/mlp_lora.py)', () => {
  let parser: PythonModelParser;
  const source = readExample('python/mlp_lora.py');
  before(async () => {
    parser = await createPythonParser(wasmPaths);
  });
  after(() => parser.dispose());
  const hintsFor = (text: string, targetDepthSetting: number | null = null) =>
    computePythonHints(parser.analyze(text), text, { targetDepthSetting, link });

  it('CodeLens above the nn.Sequential: FNN depth 4 width 16 → target depth ⌈4/2⌉ = 2 needs rank ≥ 8 (exact)', () => {
    const hints = hintsFor(source);
    assert.deepEqual(hints.lenses.map((l) => [l.range.start.line, l.range.start.character, l.title]), [
      [14, 9, 'LoRA Lens: FNN depth 4 width 16 → target depth 2 needs rank ≥ 8 (exact) · L̄ = ⌈L/2⌉ = 2 (default)'],
      [26, 0, 'LoRA Lens: TinyAttention: attention q_proj, k_proj, v_proj, o_proj, sizes not known from the source (width)'],
    ]);
    const hover = hints.hovers[0]!;
    assert.deepEqual(hover.range, { start: { line: 14, character: 0 }, end: { line: 14, character: 6 } }); // `frozen`
    assert.match(hover.markdown(), /uniform partition \[1 2\] \[3 4\]/);
    assert.match(hover.markdown(), /FNN exact-representation theorem/);
    assert.match(hover.markdown(), /command:loraLens\.analyzeModel/);
  });

  it('inlay hints after r=8 and target_modules= of LoraConfig(...)', () => {
    const hints = hintsFor(source);
    assert.deepEqual(hints.inlays.map((h) => [h.position.line, h.position.character, h.label]), [
      [42, 75, '→ 2 nn.Linear in this file (q_proj, v_proj)'],
      [42, 23, '→ q_proj, v_proj: sizes not known from the source (width)'],
    ]);
  });

  it('with literal widths the attention class gets ⌈D/2⌉ and r=8 is compared with it (equal cost to a full update)', () => {
    const literal = source.replace(/nn\.Linear\(width, width, bias=False\)/g, 'nn.Linear(16, 16, bias=False)');
    const hints = hintsFor(literal);
    assert.equal(hints.lenses[1]!.title, 'LoRA Lens: TinyAttention: attention D = 16 (q_proj, k_proj, v_proj, o_proj) → rank ⌈D/2⌉ = 8 always suffices (exact)');
    // 8·(16+16) = 256 per layer = 16·16: LoRA costs exactly a full update.
    assert.equal(hints.inlays[1]!.label, '→ q_proj, v_proj: worst case needs 8 · 512 params · full update costs the same');
  });

  it('target depth from a directive, else from the setting; says which', () => {
    const withDirective = `# lora-lens: target-depth=1\n${source}`;
    assert.equal(hintsFor(withDirective, 3).lenses[0]!.title,
      'LoRA Lens: FNN depth 4 width 16 → target depth 1 needs rank ≥ 4 (exact) · L̄ = 1 from # lora-lens: target-depth');
    assert.equal(hintsFor(source, 4).lenses[0]!.title,
      'LoRA Lens: FNN depth 4 width 16 → target depth 4 needs rank ≥ 16 (exact) · L̄ = 4 from setting loraLens.targetDepth');
    assert.equal(hintsFor(source, 5).lenses[0]!.title,
      'LoRA Lens: FNN depth 4 width 16: target depth 5 is deeper than the model (needs L̄ ≤ L; L̄ = 5 from setting loraLens.targetDepth)');
  });

  it('several LoraConfigs: each target_modules list selects its own layers (results shared only between equal lists)', () => {
    const text = [
      'import torch.nn as nn',
      'from peft import LoraConfig',
      'class Attn(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.q_proj = nn.Linear(8, 8)',
      '        self.v_proj = nn.Linear(8, 4)',
      'a = LoraConfig(r=2, target_modules=["q_proj"])',
      'b = LoraConfig(r=2, target_modules=["v_proj"])',
      'c = LoraConfig(r=2, target_modules=["q_proj"])',
      'd = LoraConfig(r=2, target_modules="q_proj|v_proj")',
      '',
    ].join('\n');
    const labels = hintsFor(text).inlays.filter((h) => h.label.startsWith('→ 1') || h.label.includes('nn.Linear')).map((h) => [h.position.line, h.label]);
    assert.deepEqual(labels, [
      [7, '→ 1 nn.Linear in this file (q_proj)'],
      [8, '→ 1 nn.Linear in this file (v_proj)'],
      [9, '→ 1 nn.Linear in this file (q_proj)'],
      [10, '→ 2 nn.Linear in this file (q_proj, v_proj)'], // a string is a regex PEFT matches whole
    ]);
  });

  it('follows edits (the same parser, incrementally)', () => {
    const edited = source.replace('nn.Linear(16, 16),\n    nn.ReLU(),\n', '');
    assert.equal(hintsFor(edited).lenses[0]!.title, 'LoRA Lens: FNN depth 3 width 16 → target depth 2 needs rank ≥ 16 (exact) · L̄ = ⌈L/2⌉ = 2 (default)');
  });
});

describe('target-depth directive', () => {
  it('parses the first directive with its range; rejects non-numbers; ignores text that is not a comment line', () => {
    const d = findTargetDepthDirective('import torch\n  #  lora-lens: target-depth = 3  # why\n# lora-lens: target-depth=5\n');
    assert.deepEqual(d, { value: 3, range: { start: { line: 1, character: 2 }, end: { line: 1, character: 32 } } });
    assert.equal(findTargetDepthDirective('# lora-lens: target-depth=zero\n')?.error, "'zero' is not a positive whole number");
    assert.equal(findTargetDepthDirective('# lora-lens: target-depth=0\n')?.value, undefined);
    assert.equal(findTargetDepthDirective('x = "# lora-lens: target-depth=3"\n'), undefined);
    assert.equal(findTargetDepthDirective('print(1)\n'), undefined);
  });

  it('resolves directive > setting > ⌈L/2⌉', () => {
    assert.equal(resolveTargetDepth(5, undefined, null).Lbar, 3);
    assert.equal(resolveTargetDepth(5, undefined, 2).source, 'setting');
    assert.equal(resolveTargetDepth(5, { value: 1, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } }, 2).Lbar, 1);
    assert.equal(resolveTargetDepth(5, { error: 'x', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } }, null).source, 'default');
  });
});
