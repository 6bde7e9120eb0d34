/**
 * A small JSON reader that keeps offsets, so hints can sit exactly after a value and quick fixes can
 * replace exactly one property. Accepts what VS Code's JSON editor accepts in these files: `//` and
 * `/* *\/` comments and trailing commas. One pass, no regexes, depth-limited (hostile files cannot
 * overflow the stack). Offsets are UTF-16 indices into the text, `end` exclusive.
 */

export interface JsonSpan {
  offset: number;
  end: number;
}

export interface JsonProperty {
  key: string;
  keySpan: JsonSpan;
  value: JsonNode;
}

export type JsonNode =
  | (JsonSpan & { kind: 'object'; properties: JsonProperty[] })
  | (JsonSpan & { kind: 'array'; items: JsonNode[] })
  | (JsonSpan & { kind: 'string'; value: string })
  | (JsonSpan & { kind: 'number'; value: number })
  | (JsonSpan & { kind: 'boolean'; value: boolean })
  | (JsonSpan & { kind: 'null'; value: null });

export type JsonObjectNode = Extract<JsonNode, { kind: 'object' }>;

export type JsonParseResult = { ok: true; root: JsonNode } | { ok: false; error: string; offset: number };

const MAX_DEPTH = 200;

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Parses `text`; on a syntax error returns where and why (no partial tree). */
export function parseJsonDocument(text: string): JsonParseResult {
  const reader = new Reader(text);
  try {
    reader.skipTrivia();
    const root = reader.value(0);
    reader.skipTrivia();
    if (reader.pos < text.length) throw new JsonSyntaxError('unexpected text after the JSON value', reader.pos);
    return { ok: true, root };
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { ok: false, error: e.message, offset: e.offset };
    throw e;
  }
}

/** The property `key` of an object node (the last one when repeated, as JSON.parse does). */
export function findProperty(node: JsonNode | undefined, key: string): JsonProperty | undefined {
  if (!node || node.kind !== 'object') return undefined;
  for (let i = node.properties.length - 1; i >= 0; i--) if (node.properties[i]!.key === key) return node.properties[i];
  return undefined;
}

/** The plain JavaScript value of a node (what JSON.parse would give). */
export function toPlainValue(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const p of node.properties) {
        // Assign through defineProperty so a "__proto__" key is data, as with JSON.parse.
        Object.defineProperty(out, p.key, { value: toPlainValue(p.value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'array':
      return node.items.map(toPlainValue);
    default:
      return node.value;
  }
}

class Reader {
  pos = 0;
  constructor(private readonly text: string) {}

  skipTrivia(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff) {
        this.pos++;
      } else if (c === 47 /* / */ && t.charCodeAt(this.pos + 1) === 47) {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? t.length : nl + 1;
      } else if (c === 47 && t.charCodeAt(this.pos + 1) === 42 /* * */) {
        const close = t.indexOf('*/', this.pos + 2);
        if (close < 0) throw new JsonSyntaxError('unterminated comment', this.pos);
        this.pos = close + 2;
      } else {
        return;
      }
    }
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError(`nested deeper than ${MAX_DEPTH} levels`, this.pos);
    const t = this.text;
    const start = this.pos;
    const c = t.charCodeAt(start);
    if (c === 123 /* { */) return this.object(depth);
    if (c === 91 /* [ */) return this.array(depth);
    if (c === 34 /* " */) {
      const value = this.string();
      return { kind: 'string', value, offset: start, end: this.pos };
    }
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    for (const [word, node] of LITERALS) {
      if (t.startsWith(word, start)) {
        this.pos += word.length;
        return { ...node, offset: start, end: this.pos } as JsonNode;
      }
    }
    throw new JsonSyntaxError(start >= t.length ? 'unexpected end of text' : 'expected a JSON value', start);
  }

  private object(depth: number): JsonNode {
    const start = this.pos++;
    const properties: JsonProperty[] = [];
    this.skipTrivia();
    while (this.text.charCodeAt(this.pos) !== 125 /* } */) {
      if (this.text.charCodeAt(this.pos) !== 34) throw new JsonSyntaxError('expected a property name in double quotes', this.pos);
      const keyStart = this.pos;
      const key = this.string();
      const keySpan = { offset: keyStart, end: this.pos };
      this.skipTrivia();
      if (this.text.charCodeAt(this.pos) !== 58 /* : */) throw new JsonSyntaxError("expected ':' after the property name", this.pos);
      this.pos++;
      this.skipTrivia();
      properties.push({ key, keySpan, value: this.value(depth + 1) });
      this.skipTrivia();
      const sep = this.text.charCodeAt(this.pos);
      if (sep === 44 /* , */) {
        this.pos++;
        this.skipTrivia();
      } else if (sep !== 125) {
        throw new JsonSyntaxError("expected ',' or '}'", this.pos);
      }
    }
    this.pos++;
    return { kind: 'object', properties, offset: start, end: this.pos };
  }

  private array(depth: number): JsonNode {
    const start = this.pos++;
    const items: JsonNode[] = [];
    this.skipTrivia();
    while (this.text.charCodeAt(this.pos) !== 93 /* ] */) {
      items.push(this.value(depth + 1));
      this.skipTrivia();
      const sep = this.text.charCodeAt(this.pos);
      if (sep === 44) {
        this.pos++;
        this.skipTrivia();
      } else if (sep !== 93) {
        throw new JsonSyntaxError("expected ',' or ']'", this.pos);
      }
    }
    this.pos++;
    return { kind: 'array', items, offset: start, end: this.pos };
  }

  /** Reads a string literal starting at `pos` (a `"`), returns its value. */
  private string(): string {
    const t = this.text;
    const start = this.pos;
    let i = start + 1;
    let simple = true;
    for (;;) {
      if (i >= t.length) throw new JsonSyntaxError('unterminated string', start);
      const c = t.charCodeAt(i);
      if (c === 34) break;
      if (c === 10 || c === 13) throw new JsonSyntaxError('line break inside a string', i);
      if (c === 92 /* \ */) {
        simple = false;
        i += 2;
        continue;
      }
      i++;
    }
    this.pos = i + 1;
    if (simple) return t.slice(start + 1, i);
    try {
      return JSON.parse(t.slice(start, i + 1)) as string;
    } catch {
      throw new JsonSyntaxError('invalid escape in a string', start);
    }
  }

  private number(): JsonNode {
    const t = this.text;
    const start = this.pos;
    let i = start;
    if (t.charCodeAt(i) === 45) i++;
    while (i < t.length) {
      const c = t.charCodeAt(i);
      // digits . e E + -
      if ((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45) i++;
      else break;
    }
    const raw = t.slice(start, i);
    const value = Number(raw);
    if (!(isPlainInteger(t, start, i) || JSON_NUMBER.test(raw)) || !Number.isFinite(value)) {
      throw new JsonSyntaxError(`invalid number '${raw.slice(0, 20)}'`, start);
    }
    this.pos = i;
    return { kind: 'number', value, offset: start, end: i };
  }
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** `[start, end)` is 1–15 digits without a leading zero (most numbers in these files): valid JSON, no regex needed. */
function isPlainInteger(t: string, start: number, end: number): boolean {
  if (end - start > 15 || end === start || (t.charCodeAt(start) === 48 && end - start > 1)) return false;
  for (let i = start; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const LITERALS: [string, { kind: 'boolean' | 'null'; value: boolean | null }][] = [
  ['true', { kind: 'boolean', value: true }],
  ['false', { kind: 'boolean', value: false }],
  ['null', { kind: 'null', value: null }],
];
