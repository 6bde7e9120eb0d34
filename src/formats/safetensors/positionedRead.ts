/** Positioned reads that either fill the whole buffer or report a short read. */
import type { promises as fs } from 'node:fs';

/** Node refuses single reads above 2 GiB - 1; larger tensors are read in 1 GiB pieces. */
const MAX_READ = 1 << 30;

/**
 * Reads exactly `target.length` bytes starting at byte `position` of the file.
 * @returns the number of bytes read: less than `target.length` only when the file ended first.
 */
export async function readAt(handle: fs.FileHandle, target: Uint8Array, position: number): Promise<number> {
  let filled = 0;
  while (filled < target.length) {
    const length = Math.min(MAX_READ, target.length - filled);
    const { bytesRead } = await handle.read(target, filled, length, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}
