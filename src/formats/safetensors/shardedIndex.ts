/**
 * Sharded checkpoints: `*.safetensors.index.json` with a `weight_map` from tensor name to shard
 * file. Shard paths must stay inside the index's folder; every shard header is read once and must
 * agree with the index exactly (each tensor in one shard, the one the index names).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FormatError, type CheckpointHeader, type TensorRef } from '../types';
import { MAX_HEADER_BYTES, readFileHeader, setOwn, statRegularFile, type FileHeader } from './fileHeader';
import { fsCall, quote } from './problems';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readIndexJson(shown: string): Promise<Record<string, unknown>> {
  const size = await statRegularFile(shown);
  if (size > MAX_HEADER_BYTES) {
    throw new FormatError(shown, `index is ${size} bytes, more than the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const bytes = await fsCall(shown, () => fs.readFile(shown));
  let index: unknown;
  try {
    index = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new FormatError(shown, 'index is not valid UTF-8 JSON');
  }
  if (!isPlainObject(index)) throw new FormatError(shown, 'index is not a JSON object');
  return index;
}

/**
 * Resolves a shard name from the index inside `folder`, rejecting absolute paths and `..` escapes
 * (checked on the path text: symbolic links inside the folder are allowed, as in the Hugging Face
 * cache, whose snapshot files link to blobs elsewhere).
 */
function resolveShard(indexShown: string, folder: string, shard: string): string {
  const escape = (): never => {
    throw new FormatError(indexShown, `shard path ${quote(shard)} is outside the index's folder`);
  };
  if (shard === '' || shard.includes('\0')) {
    throw new FormatError(indexShown, `shard path ${quote(shard)} is not a file name`);
  }
  if (path.isAbsolute(shard) || path.win32.isAbsolute(shard)) escape();
  const resolved = path.resolve(folder, shard);
  const relative = path.relative(folder, resolved);
  if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) escape();
  return resolved;
}

/**
 * Reads a sharded checkpoint from its index `indexShown` (path as given; errors name it).
 * Shards are read in file-name order, each header once.
 */
export async function readShardedHeader(indexShown: string): Promise<CheckpointHeader> {
  const index = await readIndexJson(indexShown);
  const weightMap = index['weight_map'];
  if (!isPlainObject(weightMap)) throw new FormatError(indexShown, 'index has no "weight_map" object');

  const folder = path.resolve(path.dirname(indexShown));
  /** Tensor name → absolute shard path, as the index says. */
  const mapped = new Map<string, string>();
  /** Absolute shard path → the path as written in the index. */
  const shardNames = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string') {
      throw new FormatError(indexShown, `weight_map entry ${quote(name)} is not a file name`);
    }
    const resolved = resolveShard(indexShown, folder, shard);
    mapped.set(name, resolved);
    if (!shardNames.has(resolved)) shardNames.set(resolved, shard);
  }

  const shardFiles = [...shardNames.keys()].sort();
  const headers: FileHeader[] = [];
  for (const file of shardFiles) {
    const listed = shardNames.get(file) as string;
    const exists = await fs.stat(file).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
    );
    if (!exists) throw new FormatError(indexShown, `shard ${quote(listed)} listed in the index does not exist`);
    headers.push(await readFileHeader(path.join(path.dirname(indexShown), listed)));
  }

  const foundIn = new Map<string, string>();
  const tensors: TensorRef[] = [];
  const metadata: Record<string, string> = {};
  for (const header of headers) {
    const shard = shardNames.get(header.file) as string;
    for (const ref of header.tensors) {
      const earlier = foundIn.get(ref.name);
      if (earlier !== undefined) {
        throw new FormatError(
          indexShown,
          `tensor ${quote(ref.name)} is in two shards: ${quote(shardNames.get(earlier) as string)} and ${quote(shard)}`,
        );
      }
      foundIn.set(ref.name, header.file);
      const expected = mapped.get(ref.name);
      if (expected === undefined) {
        throw new FormatError(indexShown, `shard ${quote(shard)} holds tensor ${quote(ref.name)}, which the index does not list`);
      }
      if (expected !== header.file) {
        throw new FormatError(
          indexShown,
          `index maps tensor ${quote(ref.name)} to ${quote(shardNames.get(expected) as string)} but it is in shard ${quote(shard)}`,
        );
      }
      tensors.push(ref);
    }
    for (const [key, value] of Object.entries(header.metadata)) {
      if (!Object.prototype.hasOwnProperty.call(metadata, key)) setOwn(metadata, key, value);
    }
  }
  for (const [name, file] of mapped) {
    if (!foundIn.has(name)) {
      throw new FormatError(
        indexShown,
        `index maps tensor ${quote(name)} to ${quote(shardNames.get(file) as string)} but that shard does not contain it`,
      );
    }
  }
  return {
    source: path.resolve(indexShown),
    files: shardFiles,
    tensors,
    metadata,
    totalBytes: tensors.reduce((sum, ref) => sum + ref.byteLength, 0),
  };
}
