/**
 * Where decoded tensors land: a fresh ArrayBuffer per tensor (the default, for callers that keep
 * tensors), or one scratch ArrayBuffer sized for the largest tensor and reused for every tensor
 * (streaming: no page faults on fresh memory after the first tensor, peak memory = largest tensor).
 */
import type { TensorRef } from '../types';
import { allocationFailed, checkRef, decodedElementBytes } from './tensorCheck';

/** Bytes of stored data per conversion read (F16/BF16, or F32 to float64); two such buffers. */
const CONVERSION_CHUNK_BYTES = 4 << 20;

export interface TensorMemory {
  /** A buffer of at least `bytes` bytes for the decoded elements of `ref`, starting at offset 0. */
  output(ref: TensorRef, bytes: number): ArrayBuffer;
  /**
   * The two chunk buffers of conversions for a tensor of `storedBytes`: 4 MB each, or less for
   * smaller tensors (lengths are multiples of 8 bytes). Created on first use, grown when needed,
   * then shared by every tensor.
   */
  conversionChunks(storedBytes: number): readonly [Uint8Array, Uint8Array];
}

abstract class MemoryBase implements TensorMemory {
  private chunks?: readonly [Uint8Array, Uint8Array];

  abstract output(ref: TensorRef, bytes: number): ArrayBuffer;

  conversionChunks(storedBytes: number): readonly [Uint8Array, Uint8Array] {
    const wanted = Math.max(8, Math.min(CONVERSION_CHUNK_BYTES, Math.ceil(storedBytes / 8) * 8));
    if (!this.chunks || this.chunks[0].length < wanted) this.chunks = [new Uint8Array(wanted), new Uint8Array(wanted)];
    return this.chunks;
  }
}

/** Allocates `bytes`, turning an allocation failure into a FormatError naming `ref`. */
function allocate(ref: TensorRef, bytes: number): ArrayBuffer {
  try {
    return new ArrayBuffer(bytes);
  } catch {
    throw allocationFailed(ref, bytes);
  }
}

/** Every tensor gets its own exactly sized buffer. */
class FreshMemory extends MemoryBase {
  output(ref: TensorRef, bytes: number): ArrayBuffer {
    return allocate(ref, bytes);
  }
}

/**
 * One buffer for every tensor of `refs`, allocated on first use with the largest decoded size
 * among them (refs that fail `checkRef` are left out: they throw when their turn comes).
 */
class ReusedMemory extends MemoryBase {
  private buffer?: ArrayBuffer;

  constructor(
    private readonly refs: readonly TensorRef[],
    private readonly float64: boolean,
  ) {
    super();
  }

  output(ref: TensorRef, bytes: number): ArrayBuffer {
    if (!this.buffer) {
      let largest = ref;
      let capacity = bytes;
      for (const other of this.refs) {
        const size = validDecodedBytes(other, this.float64);
        if (size > capacity) {
          capacity = size;
          largest = other;
        }
      }
      this.buffer = allocate(largest, capacity);
    }
    // Cannot happen for the refs given to the constructor; a safety net for anything else.
    if (this.buffer.byteLength < bytes) this.buffer = allocate(ref, bytes);
    return this.buffer;
  }
}

/** Decoded byte size of `ref`, or 0 when `ref` fails its checks. */
function validDecodedBytes(ref: TensorRef, float64: boolean): number {
  try {
    const elementBytes = checkRef(ref);
    return (ref.byteLength / elementBytes) * decodedElementBytes(ref, float64);
  } catch {
    return 0;
  }
}

/** Fresh memory for every tensor. */
export function freshMemory(): TensorMemory {
  return new FreshMemory();
}

/** One buffer, sized on first use for the largest decoded tensor among `refs`, reused for all. */
export function reusedMemory(refs: readonly TensorRef[], float64: boolean): TensorMemory {
  return new ReusedMemory(refs, float64);
}
