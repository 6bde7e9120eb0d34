/**
 * `readCheckpointHeader`: one entry point for a .safetensors file, a sharded checkpoint's
 * index, or a folder holding either.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FormatError, type CheckpointHeader } from '../types';
import { readFileHeader } from './fileHeader';
import { fsCall, quote } from './problems';
import { readShardedHeader } from './shardedIndex';

const INDEX_SUFFIX = '.safetensors.index.json';
const FILE_SUFFIX = '.safetensors';

async function isRegularFile(file: string): Promise<boolean> {
  return fs.stat(file).then((stats) => stats.isFile(), () => false);
}

/**
 * Picks the checkpoint in `folder`: `model.safetensors.index.json`, else the only `*.safetensors.index.json`,
 * else `model.safetensors`, else the only `*.safetensors`. Symbolic links count (Hugging Face cache).
 */
async function chooseInFolder(folder: string): Promise<string> {
  const names = (await fsCall(folder, () => fs.readdir(folder))).sort();
  const pick = async (preferred: string, suffix: string): Promise<string | undefined> => {
    if (await isRegularFile(path.join(folder, preferred))) return path.join(folder, preferred);
    const candidates: string[] = [];
    for (const name of names) {
      if (name.endsWith(suffix) && (await isRegularFile(path.join(folder, name)))) candidates.push(name);
    }
    if (candidates.length > 1) {
      const listed = candidates.slice(0, 5).map(quote).join(', ');
      throw new FormatError(folder, `folder holds several checkpoints (${listed}${candidates.length > 5 ? ', …' : ''}); choose one file`);
    }
    return candidates[0] === undefined ? undefined : path.join(folder, candidates[0]);
  };
  const chosen = (await pick(`model${INDEX_SUFFIX}`, INDEX_SUFFIX)) ?? (await pick(`model${FILE_SUFFIX}`, FILE_SUFFIX));
  if (chosen === undefined) {
    throw new FormatError(folder, `folder holds no ${FILE_SUFFIX} file and no ${INDEX_SUFFIX}`);
  }
  return chosen;
}

/**
 * Reads the headers of a checkpoint: a `.safetensors` file, a `model.safetensors.index.json`
 * (any `*.json` is taken as an index), or a folder holding either (the index wins when both exist).
 * No tensor data is read. `source` is the absolute path of the file or index read.
 * @throws FormatError naming the offending file and the problem.
 */
export async function readCheckpointHeader(target: string): Promise<CheckpointHeader> {
  const stats = await fsCall(target, () => fs.stat(target));
  const chosen = stats.isDirectory() ? await chooseInFolder(target) : target;
  if (chosen.toLowerCase().endsWith('.json')) return readShardedHeader(chosen);
  const header = await readFileHeader(chosen);
  return {
    source: header.file,
    files: [header.file],
    tensors: header.tensors,
    metadata: header.metadata,
    totalBytes: header.tensors.reduce((sum, ref) => sum + ref.byteLength, 0),
  };
}
