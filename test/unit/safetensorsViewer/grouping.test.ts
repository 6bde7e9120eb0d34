import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupForViewer, stackPosition, tensorRoles } from '../../../src/extension/safetensorsViewer/grouping';
import { buildViewerModel } from '../../../src/extension/safetensorsViewer/viewModel';
import type { CheckpointHeader } from '../../../src/formats/types';
import { llamaBlock, refs, type HandTensor } from './files';

const BLOCK_PARAMS = 64 + 32 + 32 + 64 + 128 + 128 + 128 + 8 + 8;

function header(tensors: HandTensor[], metadata: Record<string, string> = {}): CheckpointHeader {
  const list = refs(tensors);
  return { source: '/x.safetensors', files: ['/x.safetensors'], tensors: list, metadata, totalBytes: list.reduce((s, t) => s + t.byteLength, 0) };
}

const info = { fileName: 'x.safetensors', filePath: '/x.safetensors', fileSize: 12345, headerBytes: 1000 };

describe('safetensors viewer: grouping by layer', () => {
  it('Llama names: embeddings, layers in numeric order (2 before 10), head; sorted by name inside a group', () => {
    const tensors: HandTensor[] = [
      { name: 'lm_head.weight', dtype: 'F32', shape: [32, 8] },
      ...llamaBlock(10),
      { name: 'model.norm.weight', dtype: 'F32', shape: [8] },
      ...llamaBlock(2),
      { name: 'model.embed_tokens.weight', dtype: 'F32', shape: [32, 8] },
    ];
    const groups = groupForViewer(refs(tensors));
    assert.deepEqual(groups.map((g) => g.label), ['Embeddings', 'Layer 2', 'Layer 10', 'Head']);
    assert.deepEqual(groups.map((g) => g.kind), ['embeddings', 'layer', 'layer', 'head']);
    const layer2 = groups[1];
    assert.equal(layer2.prefix, 'model.layers.2.');
    assert.equal(layer2.layer, 2);
    assert.equal(layer2.tensors.length, 9);
    assert.equal(layer2.parameters, BLOCK_PARAMS);
    assert.equal(layer2.bytes, BLOCK_PARAMS * 4);
    assert.deepEqual(layer2.tensors.map((t) => t.name.slice(layer2.prefix.length)), [
      'input_layernorm.weight', 'mlp.down_proj.weight', 'mlp.gate_proj.weight', 'mlp.up_proj.weight',
      'post_attention_layernorm.weight', 'self_attn.k_proj.weight', 'self_attn.o_proj.weight',
      'self_attn.q_proj.weight', 'self_attn.v_proj.weight',
    ]);
    assert.deepEqual(layer2.tensors.map((t) => t.role), ['norm', 'down', 'gate', 'up', 'norm', 'k', 'o', 'q', 'v']);
    assert.deepEqual(groups[3].tensors.map((t) => [t.name, t.role]), [['lm_head.weight', 'lm_head'], ['model.norm.weight', 'norm']]);
  });

  it('falls back to the numeric segment: nn.Sequential keys (0.weight) and unnamed stacks', () => {
    const groups = groupForViewer(refs([
      { name: '0.weight', dtype: 'F32', shape: [4, 4] }, { name: '0.bias', dtype: 'F32', shape: [4] },
      { name: '2.weight', dtype: 'F32', shape: [4, 4] }, { name: '2.bias', dtype: 'F32', shape: [4] },
      { name: 'encoder.stages.1.conv.weight', dtype: 'F32', shape: [2, 2, 3, 3] },
    ]));
    assert.deepEqual(groups.map((g) => [g.label, g.prefix, g.tensors.length]), [
      ['Layer 0', '0.', 2], ['Layer 2', '2.', 2], ['Layer 1', 'encoder.stages.1.', 1],
    ]);
  });

  it('GPT-2 `h.N.` blocks; several stacks stay apart (T5-style encoder and decoder)', () => {
    assert.deepEqual(stackPosition('transformer.h.11.attn.c_attn.weight'), { stack: 'transformer.h.', index: 11, prefix: 'transformer.h.11.' });
    const groups = groupForViewer(refs([
      { name: 'encoder.block.0.layer.0.SelfAttention.q.weight', dtype: 'F32', shape: [4, 4] },
      { name: 'decoder.block.0.layer.0.SelfAttention.q.weight', dtype: 'F32', shape: [4, 4] },
      { name: 'encoder.block.1.layer.0.SelfAttention.q.weight', dtype: 'F32', shape: [4, 4] },
    ]));
    assert.deepEqual(groups.map((g) => g.prefix), ['encoder.block.0.', 'encoder.block.1.', 'decoder.block.0.']);
    assert.equal(new Set(groups.map((g) => g.id)).size, 3);
  });

  it('unrecognised tensors go to Other; a bias takes its weight\'s role; LoRA factors are named after their module', () => {
    const list = refs([
      { name: 'rotary.inv_freq', dtype: 'F32', shape: [4] },
      { name: 'score.weight', dtype: 'F32', shape: [2, 8] },
      { name: 'score.bias', dtype: 'F32', shape: [2] },
      { name: 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', dtype: 'F32', shape: [2, 8] },
      { name: 'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight', dtype: 'F32', shape: [8, 2] },
    ]);
    assert.deepEqual(tensorRoles(list), [undefined, 'linear', 'linear', 'q·A', 'q·B']);
    const groups = groupForViewer(list);
    assert.deepEqual(groups.map((g) => g.label), ['Layer 0', 'Other']);
    assert.deepEqual(groups[1].tensors.map((t) => t.name), ['rotary.inv_freq', 'score.bias', 'score.weight']);
  });
});

describe('safetensors viewer: totals and the dtype mix', () => {
  it('counts tensors, parameters, bytes and analysable tensors; marks non-analysable dtypes', () => {
    const tensors: HandTensor[] = [
      { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [32, 8] },
      ...llamaBlock(0, 'BF16'),
      { name: 'model.layers.0.mlp.down_proj.weight_scale', dtype: 'F32', shape: [] },
      { name: 'model.layers.0.mlp.down_proj.qweight', dtype: 'I8', shape: [8, 16] },
    ];
    const model = buildViewerModel(header(tensors, { format: 'pt', quant: 'int8' }), info);
    assert.equal(model.tensorCount, 12);
    assert.equal(model.totalParameters, 256 + BLOCK_PARAMS + 1 + 128);
    assert.equal(model.dataBytes, (256 + BLOCK_PARAMS) * 2 + 4 + 128);
    assert.equal(model.analysableTensors, 11);
    assert.deepEqual(model.dtypes.map((d) => [d.dtype, d.tensors, d.parameters, d.bytes, d.analysable]), [
      ['BF16', 10, 256 + BLOCK_PARAMS, (256 + BLOCK_PARAMS) * 2, true],
      ['I8', 1, 128, 128, false],
      ['F32', 1, 1, 4, true],
    ]);
    assert.deepEqual(model.metadata, [{ key: 'format', value: 'pt' }, { key: 'quant', value: 'int8' }]);
    const int8 = model.groups[1].tensors.find((t) => t.dtype === 'I8');
    assert.equal(int8?.analysable, false);
    assert.equal(int8?.reason, 'not analysable: dtype I8');
    const scalar = model.groups[1].tensors.find((t) => t.shape.length === 0);
    assert.equal(scalar?.parameters, 1);
    assert.deepEqual(model.groups[1].dtypes, ['BF16', 'I8', 'F32']);
    assert.equal(model.groups.reduce((s, g) => s + g.parameters, 0), model.totalParameters);
    assert.equal(model.groups.reduce((s, g) => s + g.tensors.length, 0), model.tensorCount);
  });

  it('describes only what the names and shapes fix (no guessed head count)', () => {
    const model = buildViewerModel(header([{ name: 'model.embed_tokens.weight', dtype: 'F32', shape: [32, 8] }, ...llamaBlock(0), ...llamaBlock(1)]), info);
    assert.equal(model.architecture, 'Transformer · Llama-style names · hidden 8 · MLP 16 · vocabulary 32 · layers 0–1 in this file');
    assert.doesNotMatch(model.architecture ?? '', /head/);
  });

  it('says so when no tensor can be analysed', () => {
    const model = buildViewerModel(header([{ name: 'q', dtype: 'I8', shape: [4] }]), info);
    assert.equal(model.analysableTensors, 0);
    assert.match(model.notes.join('\n'), /No tensor has a dtype the analysis can read/);
  });

  it('an empty file (no tensors) is a valid, empty model', () => {
    const model = buildViewerModel(header([]), info);
    assert.deepEqual([model.tensorCount, model.totalParameters, model.groups.length, model.dtypes.length], [0, 0, 0, 0]);
  });
});
