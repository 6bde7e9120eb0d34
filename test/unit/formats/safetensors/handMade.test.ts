import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readCheckpointHeader, readTensor } from '../../../../src/formats/safetensors';
import { expectFormatError, handMadeFile, withTempDir } from './tempDir';

/**
 * A file built byte by byte, independent of the writer: keys not sorted, `__metadata__` in the
 * middle, an unpadded header, a one-byte gap, an I8 tensor and an F64 at an unaligned offset.
 */
const HEADER =
  '{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},' +
  '"h":{"dtype":"F16","shape":[2,1],"data_offsets":[0,4]},' +
  '"__metadata__":{"k":"v"},' +
  '"q":{"dtype":"I8","shape":[3],"data_offsets":[4,7]},' +
  '"b":{"dtype":"BF16","shape":[1],"data_offsets":[16,18]},' +
  '"d":{"dtype":"F64","shape":[],"data_offsets":[18,26]}}';

const DATA = [
  0x00, 0x3c, 0x00, 0xbc, // h: F16 1.0, -1.0
  0x01, 0x02, 0xff, // q: I8 1, 2, -1
  0x00, // gap
  0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x80, 0xbe, // w: F32 1.5, -0.25
  0x49, 0x40, // b: BF16 0x4049 = 3.140625
  0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f, // d: F64 0.1
];

describe('hand-built safetensors file', () => {
  it('is read correctly', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'hand.safetensors');
      await fs.writeFile(file, handMadeFile(HEADER, Uint8Array.from(DATA)));
      const header = await readCheckpointHeader(file);
      const dataStart = 8 + Buffer.byteLength(HEADER);
      assert.deepEqual(header.metadata, { k: 'v' });
      assert.equal(header.totalBytes, 25);
      assert.deepEqual(
        header.tensors.map((t) => [t.name, t.dtype, t.shape, t.byteOffset - dataStart, t.byteLength, t.analysable]),
        [
          ['h', 'F16', [2, 1], 0, 4, true],
          ['q', 'I8', [3], 4, 3, false],
          ['w', 'F32', [2], 8, 8, true],
          ['b', 'BF16', [1], 16, 2, true],
          ['d', 'F64', [], 18, 8, true],
        ],
      );
      const [h, q, w, b, d] = header.tensors;
      assert.equal(q?.reason, 'not analysable: dtype I8');
      assert.deepEqual([...(await readTensor(h!))], [1, -1]);
      assert.deepEqual([...(await readTensor(w!))], [1.5, -0.25]);
      assert.deepEqual([...(await readTensor(b!))], [3.140625]);
      assert.deepEqual([...(await readTensor(d!))], [0.1]);
      await expectFormatError(readTensor(q!), file, /^tensor "q": not analysable: dtype I8$/);
    });
  });

  it('reads a folder holding a single model.safetensors', async () => {
    await withTempDir(async (dir) => {
      await fs.writeFile(path.join(dir, 'model.safetensors'), handMadeFile(HEADER, Uint8Array.from(DATA)));
      const header = await readCheckpointHeader(dir);
      assert.equal(header.source, path.join(dir, 'model.safetensors'));
      assert.equal(header.tensors.length, 5);
    });
  });
});
