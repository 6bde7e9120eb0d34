import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadModel } from '../../../../src/formats/loadModel';
import { filled, tempDir, writeModel } from './helpers';

describe('sequential MLPs from real safetensors files', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('12 nn.Sequential layers are ordered numerically (0, 2, …, 22), widths from the shapes', async () => {
    // Widths 3 → 4 → 5 → … → 15: every layer has a different shape, so order mistakes show.
    const tensors = [];
    for (let l = 0; l < 12; l++) {
      tensors.push(filled(`${2 * l}.weight`, [l + 4, l + 3]), filled(`${2 * l}.bias`, [l + 4]));
    }
    // Write in string order to make sure the file order is not what decides.
    tensors.sort((a, b) => (a.name < b.name ? -1 : 1));
    const file = await writeModel(dir, 'seq12.safetensors', tensors);
    const spec = await loadModel(file);
    assert.equal(spec.kind, 'mlp');
    assert.deepEqual(spec.sequentialLayers, Array.from({ length: 12 }, (_, l) => String(2 * l)));
    const layers = spec.modules.filter((m) => m.role === 'linear');
    assert.deepEqual(layers.map((m) => m.layer), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual(layers.map((m) => m.shape[1]), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    assert.equal(layers[11].parameters, 15 * 14 + 15);
    assert.ok(layers.every((m) => m.bias !== undefined && m.weight !== undefined));
    assert.deepEqual(spec.notes, []);
  });

  it('a prefix such as net.0.weight, without biases', async () => {
    const file = await writeModel(dir, 'net.safetensors', [
      filled('net.10.weight', [2, 8]), filled('net.0.weight', [8, 4]), filled('net.2.weight', [8, 8]),
    ]);
    const spec = await loadModel(file);
    assert.equal(spec.kind, 'mlp');
    assert.deepEqual(spec.sequentialLayers, ['net.0', 'net.2', 'net.10']);
  });

  it('layers.N.weight ModuleLists', async () => {
    const file = await writeModel(dir, 'list.safetensors', [
      filled('layers.1.weight', [6, 6]), filled('layers.0.weight', [6, 6]), filled('layers.1.bias', [6]),
    ]);
    const spec = await loadModel(file);
    assert.equal(spec.kind, 'mlp');
    assert.deepEqual(spec.sequentialLayers, ['layers.0', 'layers.1']);
  });

  it('shapes that do not chain give a note naming both layers', async () => {
    const file = await writeModel(dir, 'broken.safetensors', [filled('0.weight', [8, 4]), filled('2.weight', [3, 5])]);
    const spec = await loadModel(file);
    assert.equal(spec.kind, 'mlp');
    assert.ok(spec.notes.some((n) => /layer 1 \(0\) has 8 outputs but layer 2 \(2\) takes 5 inputs/.test(n)), spec.notes.join('\n'));
  });

  it('mixed prefixes are not a plain sequential MLP: kind unknown, roles other', async () => {
    const file = await writeModel(path.join(dir, 'mixed'), 'm.safetensors', [filled('a.0.weight', [4, 4]), filled('b.1.weight', [4, 4])]);
    const spec = await loadModel(file);
    assert.equal(spec.kind, 'unknown');
    assert.ok(spec.modules.every((m) => m.role === 'other'));
  });
});
