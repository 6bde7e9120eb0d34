/**
 * Reads what the viewer shows from a `.safetensors` file on disk: the validated header (never the
 * tensor data, so a 10 GB shard opens as fast as a small file), the file size, and whether the file
 * is one shard of a sharded checkpoint. No `vscode` here, so unit tests run it directly.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readCheckpointHeader } from '../../formats/safetensors';
import { FormatError, type CheckpointHeader } from '../../formats/types';
import type { SafetensorsViewerModel } from '../../protocol';
import { buildViewerModel } from './viewModel';

/** `model-00002-of-00004.safetensors`: the Hugging Face shard naming. */
const SHARD_NAME = /-(\d+)-of-(\d+)\.safetensors$/i;

/** Reads the 8-byte little-endian header length (readCheckpointHeader has validated it already). */
async function readHeaderLength(file: string): Promise<number> {
  const handle = await fs.open(file, 'r');
  try {
    const bytes = Buffer.alloc(8);
    await handle.read(bytes, 0, 8, 0);
    return Number(bytes.readBigUInt64LE(0));
  } finally {
    await handle.close();
  }
}

/** A note when the file looks like one shard of a sharded checkpoint. */
async function shardNote(file: string): Promise<string | undefined> {
  const match = SHARD_NAME.exec(path.basename(file));
  if (!match) return undefined;
  const names = await fs.readdir(path.dirname(file)).catch(() => [] as string[]);
  const index = names.find((n) => n.toLowerCase().endsWith('.safetensors.index.json'));
  const part = `Shard ${Number(match[1])} of ${Number(match[2])}`;
  return index
    ? `${part} of a sharded checkpoint: only this file's tensors are listed; analyse the folder or ${index} for the whole model.`
    : `${part} of a sharded checkpoint: only this file's tensors are listed.`;
}

/**
 * The viewer's model of `file`.
 * @throws FormatError naming the file and the problem (missing, not a regular file, truncated, lying header…).
 */
export async function loadViewerModel(file: string): Promise<SafetensorsViewerModel> {
  let stats;
  try {
    stats = await fs.stat(file);
  } catch {
    throw new FormatError(file, 'no such file, or it cannot be read');
  }
  // readCheckpointHeader also accepts folders and index files; the viewer shows exactly one file.
  if (!stats.isFile()) throw new FormatError(file, 'is not a regular file');
  const header: CheckpointHeader = await readCheckpointHeader(file);
  const headerBytes = await readHeaderLength(file).catch(() => 0);
  const note = await shardNote(file);
  return buildViewerModel(header, {
    fileName: path.basename(file),
    filePath: file,
    fileSize: stats.size,
    headerBytes,
    notes: note ? [note] : [],
  });
}
