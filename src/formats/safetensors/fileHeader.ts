/**
 * Reads and validates the header of ONE safetensors file. The file is untrusted: its 8-byte
 * header length is checked against the file size and a 100 MB cap before anything is allocated,
 * and every entry's dtype, shape and offsets are checked against each other and the data section.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FormatError, type TensorRef } from '../types';
import { dtypeBits, isAnalysableDtype } from './dtypes';
import { readAt } from './positionedRead';
import { fsCall, quote } from './problems';

/** Largest header accepted, as in Hugging Face's reference reader. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface FileHeader {
  /** Absolute path. */
  file: string;
  /** In data order (ascending offset), which for reference-written files is header order. */
  tensors: TensorRef[];
  metadata: Record<string, string>;
  fileSize: number;
}

/** Stats `file` and makes sure it is a regular file (opening a FIFO or device could block). */
export async function statRegularFile(shown: string): Promise<number> {
  const stats = await fsCall(shown, () => fs.stat(shown));
  if (stats.isDirectory()) throw new FormatError(shown, 'is a folder, not a file');
  if (!stats.isFile()) throw new FormatError(shown, 'is not a regular file');
  return stats.size;
}

/** Sets `key` as an own enumerable property, even for keys such as "__proto__". */
export function setOwn(target: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Short JSON of an untrusted value for a problem text. */
function shownJson(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

function parseMetadata(shown: string, value: unknown): Record<string, string> {
  if (!isPlainObject(value)) throw new FormatError(shown, '__metadata__ is not an object of strings');
  const metadata: Record<string, string> = {};
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== 'string') {
      throw new FormatError(shown, `__metadata__ entry ${quote(key)} is not a string (${shownJson(text)})`);
    }
    setOwn(metadata, key, text);
  }
  return metadata;
}

interface ParsedEntry {
  ref: TensorRef;
  begin: number;
  end: number;
}

/** Validates one header entry; `dataStart` is the absolute offset of the data section. */
function parseEntry(shown: string, file: string, name: string, value: unknown, dataStart: number, dataLength: number): ParsedEntry {
  const fail = (problem: string): never => {
    throw new FormatError(shown, `tensor ${quote(name)}: ${problem}`);
  };
  if (!isPlainObject(value)) fail('entry is not an object');
  const entry = value as Record<string, unknown>;
  const { dtype, shape, data_offsets: offsets } = entry;

  if (typeof dtype !== 'string') fail('dtype is missing or not a string');
  const bits = dtypeBits(dtype as string);
  if (bits === undefined) fail(`unknown dtype ${quote(dtype as string)}`);

  if (!Array.isArray(shape)) fail('shape is missing or not an array');
  for (const dim of shape as unknown[]) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      fail(`shape ${shownJson(shape)} has ${shownJson(dim)}, not a non-negative integer`);
    }
  }
  const dims = shape as number[];

  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
  ) {
    fail(`data_offsets ${shownJson(offsets)} is not [begin, end] with non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`data_offsets [${begin}, ${end}] has begin after end`);

  // BigInt: a lying shape can multiply past 2^53.
  const totalBits = dims.reduce((product, dim) => product * BigInt(dim), BigInt(bits as number));
  if (totalBits % 8n !== 0n) fail(`shape [${dims.join(', ')}] of ${dtype as string} is not a whole number of bytes`);
  if (totalBits / 8n !== BigInt(end - begin)) {
    fail(
      `shape [${dims.join(', ')}] of ${dtype as string} needs ${totalBits / 8n} bytes ` +
        `but data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  if (end > dataLength) {
    fail(`data_offsets [${begin}, ${end}] run past the end of the data section (${dataLength} bytes; truncated file?)`);
  }

  const analysable = isAnalysableDtype(dtype as string);
  const ref: TensorRef = {
    name,
    dtype: dtype as string,
    shape: [...dims],
    file,
    byteOffset: dataStart + begin,
    byteLength: end - begin,
    analysable,
  };
  if (!analysable) ref.reason = `not analysable: dtype ${dtype as string}`;
  return { ref, begin, end };
}

/** Throws if two non-empty byte ranges overlap. `entries` must be sorted by `begin`. */
function checkNoOverlap(shown: string, entries: ParsedEntry[]): void {
  let previous: ParsedEntry | undefined;
  for (const entry of entries) {
    if (entry.begin === entry.end) continue;
    if (previous && entry.begin < previous.end) {
      throw new FormatError(
        shown,
        `tensors ${quote(previous.ref.name)} [${previous.begin}, ${previous.end}] and ` +
          `${quote(entry.ref.name)} [${entry.begin}, ${entry.end}] overlap`,
      );
    }
    if (!previous || entry.end > previous.end) previous = entry;
  }
}

function parseHeaderJson(shown: string, bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError(shown, 'header is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's message quotes the input, which is untrusted: keep only the position.
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    throw new FormatError(shown, `header is not valid JSON${position ? ` (at byte ${position})` : ''}`);
  }
}

/**
 * Reads the header of the safetensors file `shown` (the path as the user gave it; errors name it).
 * Allocates at most the header length, and only after checking it against the file size and cap.
 */
export async function readFileHeader(shown: string): Promise<FileHeader> {
  const file = path.resolve(shown);
  await statRegularFile(shown);
  const handle = await fsCall(shown, () => fs.open(file, 'r'));
  try {
    const { size } = await fsCall(shown, () => handle.stat());
    if (size === 0) throw new FormatError(shown, 'file is empty (a safetensors file starts with an 8-byte header length)');
    if (size < 8) throw new FormatError(shown, `file is only ${size} bytes, too short for the 8-byte header length`);

    const lengthBytes = new Uint8Array(8);
    if ((await fsCall(shown, () => readAt(handle, lengthBytes, 0))) < 8) {
      throw new FormatError(shown, 'file shrank while being read');
    }
    const headerLength = Buffer.from(lengthBytes.buffer).readBigUInt64LE(0);
    if (headerLength > BigInt(size - 8)) {
      throw new FormatError(shown, `header length ${headerLength} exceeds the file size (${size} bytes)`);
    }
    if (headerLength > BigInt(MAX_HEADER_BYTES)) {
      throw new FormatError(shown, `header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
    }
    const n = Number(headerLength);
    const headerBytes = new Uint8Array(n);
    if ((await fsCall(shown, () => readAt(handle, headerBytes, 8))) < n) {
      throw new FormatError(shown, 'file shrank while being read');
    }

    const header = parseHeaderJson(shown, headerBytes);
    if (!isPlainObject(header)) throw new FormatError(shown, 'header is not a JSON object');

    const dataStart = 8 + n;
    const dataLength = size - dataStart;
    let metadata: Record<string, string> = {};
    const entries: ParsedEntry[] = [];
    for (const [name, value] of Object.entries(header)) {
      if (name === '__metadata__') metadata = parseMetadata(shown, value);
      else entries.push(parseEntry(shown, file, name, value, dataStart, dataLength));
    }
    entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
    checkNoOverlap(shown, entries);
    return { file, tensors: entries.map((entry) => entry.ref), metadata, fileSize: size };
  } finally {
    await handle.close().catch(() => undefined);
  }
}
