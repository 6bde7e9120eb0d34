/**
 * Positioned reads that either fill the whole buffer or report a short read.
 *
 * Speed notes (measured in test/bench/safetensors.bench.ts): from the page cache, a read is a
 * kernel memcpy into our buffer, so a large target is read in 8 MB pieces with two pieces in
 * flight on libuv's thread pool (two copies run at once on two cores). Conversions use
 * `readPipelined`, which reads chunk k+1 on the thread pool while the caller decodes chunk k.
 */
import type { promises as fs } from 'node:fs';

/** Bytes per read call for large targets. */
export const READ_STEP = 8 << 20;
/** Read calls kept in flight at once for a large target (libuv's pool has 4 threads). */
const READS_IN_FLIGHT = 2;

/** Reads into all of `target` from `position` with as many calls as needed; returns bytes read. */
async function readPiece(handle: fs.FileHandle, target: Uint8Array, position: number): Promise<number> {
  let filled = 0;
  while (filled < target.length) {
    const { bytesRead } = await handle.read(target, filled, target.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

/**
 * Reads exactly `target.length` bytes starting at byte `position` of the file, in `READ_STEP`
 * pieces with up to two in flight. Every piece has settled when this returns or throws.
 * @returns the number of bytes read from the start of `target`: less than `target.length` only
 *   when the file ended first.
 */
export async function readAt(handle: fs.FileHandle, target: Uint8Array, position: number): Promise<number> {
  if (target.length <= READ_STEP) return readPiece(handle, target, position);
  let next = 0;
  let filled = target.length; // lowered to the end of the first short piece
  const worker = async (): Promise<void> => {
    while (next < filled) {
      const start = next;
      next += READ_STEP;
      const piece = target.subarray(start, Math.min(start + READ_STEP, target.length));
      const got = await readPiece(handle, piece, position + start);
      if (got < piece.length) filled = Math.min(filled, start + got);
    }
  };
  // allSettled, not all: a failed piece must not leave the other still writing into `target`.
  const results = await Promise.allSettled(Array.from({ length: READS_IN_FLIGHT }, worker));
  for (const result of results) if (result.status === 'rejected') throw result.reason;
  return filled;
}

/**
 * Reads `length` bytes from `position` in chunks the size of `buffers[0]`, alternating between the
 * two buffers: chunk k+1 is read on the thread pool while `consume` handles chunk k (synchronously).
 * `consume(bytes, offset)` gets a view of the chunk's bytes and its offset from `position`; the
 * view is overwritten two chunks later. Stops at the first short read.
 * @returns bytes consumed: less than `length` only when the file ended first.
 */
export async function readPipelined(
  handle: fs.FileHandle,
  position: number,
  length: number,
  buffers: readonly [Uint8Array, Uint8Array],
  consume: (bytes: Uint8Array, offset: number) => void,
): Promise<number> {
  const chunk = buffers[0].length;
  const count = Math.ceil(length / chunk);
  const start = async (k: number): Promise<{ bytes: Uint8Array; got: number }> => {
    const bytes = buffers[k % 2]!.subarray(0, Math.min(chunk, length - k * chunk));
    return { bytes, got: await readPiece(handle, bytes, position + k * chunk) };
  };
  let pending = count > 0 ? start(0) : undefined;
  try {
    for (let k = 0; pending; k++) {
      const { bytes, got } = await pending;
      pending = undefined;
      if (got < bytes.length) return k * chunk + got;
      if (k + 1 < count) pending = start(k + 1); // into the other buffer, while we consume this one
      consume(bytes, k * chunk);
    }
    return length;
  } finally {
    // Only set if `consume` threw: let that read finish before the buffers are reused.
    await pending?.catch(() => undefined);
  }
}
