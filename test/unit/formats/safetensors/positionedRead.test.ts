import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { READ_STEP, readAt, readPipelined } from '../../../../src/formats/safetensors/positionedRead';
import { withTempDir } from './tempDir';

/** 2.5 read steps of bytes, each byte a function of its position. */
const FILE_BYTES = READ_STEP * 2 + READ_STEP / 2;
const FILE = Buffer.alloc(FILE_BYTES);
for (let i = 0; i < FILE_BYTES; i++) FILE[i] = (i * 31 + (i >> 13)) & 0xff;

async function withFile(fn: (handle: fs.FileHandle) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const file = path.join(dir, 'bytes.bin');
    await fs.writeFile(file, FILE);
    const handle = await fs.open(file, 'r');
    try {
      await fn(handle);
    } finally {
      await handle.close();
    }
  });
}

function assertBytesFrom(bytes: Uint8Array, position: number): void {
  const expected = FILE.subarray(position, position + bytes.length);
  assert.equal(bytes.length, expected.length, 'range inside the file');
  assert.ok(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).equals(expected), `bytes from file position ${position}`);
}

describe('positioned reads', () => {
  it('readAt fills a target of several read steps, in order, from any position', async () => {
    await withFile(async (handle) => {
      const target = new Uint8Array(READ_STEP * 2 + 5);
      assert.equal(await readAt(handle, target, 7), target.length);
      assertBytesFrom(target, 7);
    });
  });

  it('readAt reports how far it got when the file ends inside a later step', async () => {
    await withFile(async (handle) => {
      const start = 100;
      const target = new Uint8Array(READ_STEP * 3).fill(0xaa);
      const expected = FILE_BYTES - start;
      assert.equal(await readAt(handle, target, start), expected);
      assertBytesFrom(target.subarray(0, expected), start);
    });
  });

  it('readPipelined hands over every chunk once, in order, alternating two buffers', async () => {
    await withFile(async (handle) => {
      const chunk = 1 << 20;
      const buffers = [new Uint8Array(chunk), new Uint8Array(chunk)] as const;
      const length = chunk * 3 + 12;
      const offsets: number[] = [];
      const used: Uint8Array[] = [];
      const got = await readPipelined(handle, 3, length, buffers, (bytes, offset) => {
        assertBytesFrom(bytes, 3 + offset);
        offsets.push(offset);
        used.push(bytes.buffer === buffers[0].buffer ? buffers[0] : buffers[1]);
      });
      assert.equal(got, length);
      assert.deepEqual(offsets, [0, chunk, 2 * chunk, 3 * chunk]);
      assert.deepEqual(used, [buffers[0], buffers[1], buffers[0], buffers[1]]);
    });
  });

  it('readPipelined stops at the end of the file and says how much it consumed', async () => {
    await withFile(async (handle) => {
      const chunk = 4 << 20;
      const buffers = [new Uint8Array(chunk), new Uint8Array(chunk)] as const;
      let consumed = 0;
      const got = await readPipelined(handle, FILE_BYTES - chunk - 10, chunk * 3, buffers, (bytes) => void (consumed += bytes.length));
      assert.equal(got, chunk + 10);
      assert.equal(consumed, chunk); // the short chunk is reported, not consumed
    });
  });
});
