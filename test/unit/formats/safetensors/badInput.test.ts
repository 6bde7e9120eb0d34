import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MAX_HEADER_BYTES, readCheckpointHeader, readTensor, writeSafetensors } from '../../../../src/formats/safetensors';
import { expectFormatError, handMadeFile, withTempDir } from './tempDir';

/** Writes `bytes` as `name` in a fresh temp folder and expects reading it to fail with `problem`. */
async function expectBadFile(bytes: Uint8Array, problem: RegExp, name = 'model.safetensors'): Promise<void> {
  await withTempDir(async (dir) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, bytes);
    await expectFormatError(readCheckpointHeader(file), file, problem);
  });
}

const f32Entry = (begin: number, end: number, shape = '[2]'): string =>
  `{"dtype":"F32","shape":${shape},"data_offsets":[${begin},${end}]}`;

describe('untrusted safetensors input', () => {
  it('empty file', () => expectBadFile(new Uint8Array(0), /^file is empty \(a safetensors file starts with an 8-byte header length\)$/));

  it('7-byte file', () => expectBadFile(new Uint8Array(7), /^file is only 7 bytes, too short for the 8-byte header length$/));

  it('truncated data section', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'cut.safetensors');
      await writeSafetensors(file, [{ name: 'w', dtype: 'F32', shape: [4], data: new Float32Array(4) }]);
      const { size } = await fs.stat(file);
      await fs.truncate(file, size - 3);
      await expectFormatError(
        readCheckpointHeader(file),
        file,
        /^tensor "w": data_offsets \[0, 16\] run past the end of the data section \(13 bytes; truncated file\?\)$/,
      );
    });
  });

  it('header length larger than the file', () =>
    expectBadFile(handMadeFile('{}', new Uint8Array(10), 9999999999n), /^header length 9999999999 exceeds the file size \(20 bytes\)$/));

  it('a 16-byte file claiming a 2^40-byte header fails without allocating it', () =>
    expectBadFile(handMadeFile('{}', new Uint8Array(6), 2n ** 40n), /^header length 1099511627776 exceeds the file size \(16 bytes\)$/));

  it('header length above the 100 MB cap (in a sparse file large enough to hold it)', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'huge-header.safetensors');
      const claimed = MAX_HEADER_BYTES + 1;
      await fs.writeFile(file, handMadeFile('{', new Uint8Array(0), BigInt(claimed)));
      await fs.truncate(file, 8 + claimed + 64); // sparse: costs no disk
      const before = process.memoryUsage().arrayBuffers;
      await expectFormatError(readCheckpointHeader(file), file, /^header length 100000001 exceeds the 100000000-byte limit$/);
      assert.ok(process.memoryUsage().arrayBuffers - before < 8_000_000, 'must not allocate the claimed header');
    });
  });

  it('header bytes that are not UTF-8', async () => {
    const raw = Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]);
    await expectBadFile(raw, /^header is not valid UTF-8$/);
  });

  it('invalid JSON', () => expectBadFile(handMadeFile('{"w": {"dtype": "F32",'), /^header is not valid JSON/));

  it('header that is not an object', async () => {
    for (const json of ['[1,2]', 'null', '"text"', '42']) {
      await expectBadFile(handMadeFile(json), /^header is not a JSON object$/);
    }
  });

  it('offsets outside the data section', () =>
    expectBadFile(handMadeFile(`{"w":${f32Entry(8, 16)}}`, new Uint8Array(8)), /^tensor "w": data_offsets \[8, 16\] run past the end of the data section \(8 bytes/));

  it('overlapping offsets', () =>
    expectBadFile(
      handMadeFile(`{"b":${f32Entry(4, 12)},"a":${f32Entry(0, 8)}}`, new Uint8Array(12)),
      /^tensors "a" \[0, 8\] and "b" \[4, 12\] overlap$/,
    ));

  it('a tensor inside another tensor overlaps too', () =>
    expectBadFile(
      handMadeFile(`{"big":${f32Entry(0, 16, '[4]')},"x":${f32Entry(12, 16, '[1]')},"y":${f32Entry(4, 12)}}`, new Uint8Array(16)),
      /^tensors "big" \[0, 16\] and "y" \[4, 12\] overlap$/,
    ));

  it('begin after end', () =>
    expectBadFile(handMadeFile(`{"w":${f32Entry(8, 0)}}`, new Uint8Array(8)), /^tensor "w": data_offsets \[8, 0\] has begin after end$/));

  it('malformed data_offsets', async () => {
    for (const offsets of ['[0]', '[0,8,9]', '[-1,7]', '[0,"8"]', '{"0":0}', '[0,8.5]']) {
      await expectBadFile(
        handMadeFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":${offsets}}}`, new Uint8Array(8)),
        /^tensor "w": data_offsets .* is not \[begin, end\] with non-negative integers$/,
      );
    }
  });

  it('shape and size that disagree', () =>
    expectBadFile(
      handMadeFile(`{"w":${f32Entry(0, 8, '[3]')}}`, new Uint8Array(8)),
      /^tensor "w": shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 8\] span 8$/,
    ));

  it('a shape whose product overflows 2^53 is a size mismatch, not a wrap-around', () =>
    expectBadFile(
      handMadeFile(`{"w":${f32Entry(0, 0, '[4294967296,4294967296,4294967296]')}}`),
      /^tensor "w": shape \[4294967296, 4294967296, 4294967296\] of F32 needs 316912650057057350374175801344 bytes but data_offsets \[0, 0\] span 0$/,
    ));

  it('non-integer, negative or non-numeric shape', async () => {
    for (const [shape, bad] of [['[1.5]', '1.5'], ['[-1]', '-1'], ['["2"]', '"2"'], ['[9007199254740993]', '9007199254740992']]) {
      await expectBadFile(
        handMadeFile(`{"w":${f32Entry(0, 8, shape)}}`, new Uint8Array(8)),
        new RegExp(`^tensor "w": shape .* has ${bad!.replace(/[.[\]]/g, '\\$&')}, not a non-negative integer$`),
      );
    }
    await expectBadFile(handMadeFile(`{"w":{"dtype":"F32","data_offsets":[0,8]}}`, new Uint8Array(8)), /^tensor "w": shape is missing or not an array$/);
  });

  it('unknown dtype, named in the error', async () => {
    await expectBadFile(
      handMadeFile('{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}', new Uint8Array(16)),
      /^tensor "w": unknown dtype "F128"$/,
    );
    await expectBadFile(handMadeFile('{"w":{"shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)), /^tensor "w": dtype is missing or not a string$/);
    await expectBadFile(handMadeFile('{"w":[1,2]}'), /^tensor "w": entry is not an object$/);
  });

  it('__metadata__ must map strings to strings', async () => {
    await expectBadFile(handMadeFile('{"__metadata__":{"n":1}}'), /^__metadata__ entry "n" is not a string \(1\)$/);
    await expectBadFile(handMadeFile('{"__metadata__":["a"]}'), /^__metadata__ is not an object of strings$/);
  });

  it('non-analysable dtypes are listed, not fatal; reading one is an error', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'mixed.safetensors');
      const header =
        '{"i32":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},' +
        '"u8":{"dtype":"U8","shape":[3],"data_offsets":[8,11]},' +
        '"mask":{"dtype":"BOOL","shape":[1],"data_offsets":[11,12]},' +
        '"fp8":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[12,14]},' +
        '"fp4":{"dtype":"F4","shape":[4],"data_offsets":[14,16]},' +
        '"w":{"dtype":"F16","shape":[1],"data_offsets":[16,18]}}';
      await fs.writeFile(file, handMadeFile(header, Uint8Array.from([...new Array(16).fill(1), 0x00, 0x3c])));
      const { tensors } = await readCheckpointHeader(file);
      assert.deepEqual(
        tensors.map((t) => [t.name, t.analysable, t.reason]),
        [
          ['i32', false, 'not analysable: dtype I32'],
          ['u8', false, 'not analysable: dtype U8'],
          ['mask', false, 'not analysable: dtype BOOL'],
          ['fp8', false, 'not analysable: dtype F8_E4M3'],
          ['fp4', false, 'not analysable: dtype F4'],
          ['w', true, undefined],
        ],
      );
      await expectFormatError(readTensor(tensors[0]!), file, /^tensor "i32": not analysable: dtype I32$/);
      assert.deepEqual([...(await readTensor(tensors[5]!))], [1]);
    });
  });

  it('F4 with an odd element count is not a whole number of bytes', () =>
    expectBadFile(
      handMadeFile('{"q":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}', new Uint8Array(2)),
      /^tensor "q": shape \[3\] of F4 is not a whole number of bytes$/,
    ));

  it('tensor names with HTML and control characters are kept verbatim and quoted on one line in errors', async () => {
    const names = ['<script>alert("x")</script>', 'line\nbreak\u0000nul\u001b[31m', '__proto__', '\u2028sep', 'ünïcødé 🚀'];
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'names.safetensors');
      await writeSafetensors(
        file,
        names.map((name, i) => ({ name, dtype: 'F32' as const, shape: [1], data: new Float32Array([i]) })),
        JSON.parse('{"<b>meta</b>":"a\\nb","__proto__":"kept"}') as Record<string, string>,
      );
      const header = await readCheckpointHeader(file);
      assert.deepEqual(new Set(header.tensors.map((t) => t.name)), new Set(names));
      assert.equal(header.metadata['<b>meta</b>'], 'a\nb');
      assert.equal(Object.getOwnPropertyDescriptor(header.metadata, '__proto__')?.value, 'kept');
      assert.equal(Object.getPrototypeOf(header.metadata), Object.prototype);
      for (const ref of header.tensors) {
        assert.deepEqual([...(await readTensor(ref))], [names.indexOf(ref.name)]);
      }

      const bad = path.join(dir, 'bad.safetensors');
      await fs.writeFile(bad, handMadeFile(`{${JSON.stringify(names[1])}:{"dtype":"X\\u2028","shape":[],"data_offsets":[0,0]}}`));
      await expectFormatError(readCheckpointHeader(bad), bad, /^tensor "line\\nbreak\\u0000nul\\u001b\[31m": unknown dtype "X\\u2028"$/);
    });
  });

  it('readTensor reports a file truncated after its header was read', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'shrinking.safetensors');
      await writeSafetensors(file, [{ name: 'w', dtype: 'F32', shape: [8], data: new Float32Array(8) }]);
      const header = await readCheckpointHeader(file);
      const { size } = await fs.stat(file);
      await fs.truncate(file, size - 4);
      await expectFormatError(readTensor(header.tensors[0]!), file, /^tensor "w" needs bytes \d+–\d+ but the file has \d+ \(changed or truncated\?\)$/);
    });
  });

  it('missing paths and folders without a checkpoint', async () => {
    await withTempDir(async (dir) => {
      const missing = path.join(dir, 'nope.safetensors');
      await expectFormatError(readCheckpointHeader(missing), missing, /^no such file or folder$/);
      await expectFormatError(readCheckpointHeader(dir), dir, /^folder holds no \.safetensors file and no \.safetensors\.index\.json$/);
      await writeSafetensors(path.join(dir, 'a.safetensors'), []);
      await writeSafetensors(path.join(dir, 'b.safetensors'), []);
      await expectFormatError(readCheckpointHeader(dir), dir, /^folder holds several checkpoints \("a\.safetensors", "b\.safetensors"\); choose one file$/);
    });
  });
});
