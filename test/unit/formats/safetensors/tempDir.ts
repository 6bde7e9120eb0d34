/** Test helpers: temp folders, hand-built files, FormatError assertions. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FormatError } from '../../../../src/formats/types';

/** A fresh folder under the OS temp dir for one test, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lora-lens-st-'));
  try {
    return await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Builds a safetensors file by hand: u64 LE header length, header bytes verbatim, then `data`. */
export function handMadeFile(headerJson: string, data: Uint8Array = new Uint8Array(0), headerLength?: bigint): Buffer {
  const header = Buffer.from(headerJson, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLength ?? BigInt(header.length));
  return Buffer.concat([prefix, header, data]);
}

/** Awaits `promise`, expecting a FormatError that names `file` and whose problem matches `problem`. */
export async function expectFormatError(promise: Promise<unknown>, file: string, problem: RegExp): Promise<FormatError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof FormatError, `expected a FormatError, got ${String(error)}`);
    assert.equal(error.file, file);
    assert.match(error.problem, problem);
    assert.ok(!error.problem.includes('\n'), 'problem text must be one line');
    assert.equal(error.message, `${file}: ${error.problem}`);
    return error;
  }
  assert.fail(`expected a FormatError for ${file} matching ${problem}`);
}
