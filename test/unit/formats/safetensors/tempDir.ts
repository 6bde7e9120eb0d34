/** A fresh folder under the OS temp dir for one test, removed afterwards. */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

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
