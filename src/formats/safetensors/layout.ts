/**
 * The deterministic on-disk layout of a safetensors file, as the Hugging Face reference writer
 * produces it: tensors ordered by dtype (widest first, so every tensor is aligned to its element
 * size) then by name (UTF-8 byte order); header JSON with `__metadata__` first and the tensors in
 * data order; header padded with spaces to a multiple of 8 bytes.
 */

/** The spec's dtype order; the reference writer sorts by it, descending. */
const DTYPE_ORDER = [
  'BOOL', 'F4', 'F6_E2M3', 'F6_E3M2', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0',
  'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'C64', 'F64', 'I64', 'U64',
];

/** One tensor to place: its bytes are `byteLength` long. */
export interface LayoutEntry {
  name: string;
  dtype: string;
  shape: number[];
  byteLength: number;
}

export interface PlacedEntry<E extends LayoutEntry> {
  entry: E;
  /** Offsets relative to the start of the data section, as written in the header. */
  begin: number;
  end: number;
}

export interface FileLayout<E extends LayoutEntry> {
  /** The 8-byte little-endian header length followed by the padded header JSON. */
  prefix: Buffer;
  /** Tensors in the order their bytes follow the header. */
  placed: PlacedEntry<E>[];
  dataLength: number;
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Sort keys of `metadata` by UTF-8 bytes and serialise them as a JSON object. */
function metadataJson(metadata: Record<string, string>): string {
  const keys = Object.keys(metadata).sort(compareUtf8);
  return `{${keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(metadata[key])}`).join(',')}}`;
}

/**
 * Orders `entries`, assigns their data offsets and builds the header.
 * The JSON is assembled by hand so that key order is exactly data order (a JS object would move
 * integer-like names such as "0" to the front).
 */
export function planLayout<E extends LayoutEntry>(
  entries: readonly E[],
  metadata?: Record<string, string>,
): FileLayout<E> {
  const rank = (dtype: string): number => DTYPE_ORDER.indexOf(dtype);
  const ordered = [...entries].sort(
    (a, b) => rank(b.dtype) - rank(a.dtype) || compareUtf8(a.name, b.name),
  );
  const placed: PlacedEntry<E>[] = [];
  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${metadataJson(metadata)}`);
  let offset = 0;
  for (const entry of ordered) {
    const begin = offset;
    offset += entry.byteLength;
    placed.push({ entry, begin, end: offset });
    parts.push(
      `${JSON.stringify(entry.name)}:{"dtype":${JSON.stringify(entry.dtype)},` +
        `"shape":[${entry.shape.join(',')}],"data_offsets":[${begin},${offset}]}`,
    );
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  const prefix = Buffer.alloc(8 + padded, 0x20);
  prefix.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(prefix, 8);
  return { prefix, placed, dataLength: offset };
}
