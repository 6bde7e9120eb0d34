/**
 * Python literal tokens to values, exactly as CPython reads them, or a reason why not.
 */

export type LiteralResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** `16`, `0x1F`, `0o17`, `0b101`, `1_000`. Refuses complex (`2j`) and values beyond 2^53. */
export function parseIntegerLiteral(text: string): LiteralResult<number> {
  const clean = text.replace(/_/g, '');
  if (/[jJ]$/.test(clean)) return { ok: false, reason: 'complex numbers are not evaluated' };
  let value: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(clean)) value = parseInt(clean.slice(2), 16);
  else if (/^0[oO][0-7]+$/.test(clean)) value = parseInt(clean.slice(2), 8);
  else if (/^0[bB][01]+$/.test(clean)) value = parseInt(clean.slice(2), 2);
  else if (/^[0-9]+$/.test(clean)) value = Number(clean);
  else return { ok: false, reason: 'not an integer literal' };
  if (!Number.isSafeInteger(value)) return { ok: false, reason: 'integer too large to represent exactly' };
  return { ok: true, value };
}

/** `1.5`, `.5`, `5.`, `1e-4`, `1_000.5`. Refuses complex and overflow to infinity. */
export function parseFloatLiteral(text: string): LiteralResult<number> {
  const clean = text.replace(/_/g, '');
  if (/[jJ]$/.test(clean)) return { ok: false, reason: 'complex numbers are not evaluated' };
  if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(clean)) return { ok: false, reason: 'not a float literal' };
  const value = Number(clean);
  if (!Number.isFinite(value)) return { ok: false, reason: 'float literal overflows' };
  return { ok: true, value };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/**
 * Decodes one string token (prefix, quotes, body). f-strings and bytes are refused: an f-string's
 * value depends on run-time values and bytes are not text.
 */
export function decodeStringLiteral(text: string): LiteralResult<string> {
  const prefixMatch = /^[a-zA-Z]*/.exec(text);
  const prefix = (prefixMatch ? prefixMatch[0] : '').toLowerCase();
  if (prefix.includes('f') || prefix.includes('t')) return { ok: false, reason: 'f-strings are not evaluated' };
  if (prefix.includes('b')) return { ok: false, reason: 'bytes literals are not text' };
  const rest = text.slice(prefix.length);
  const quote = rest.startsWith('"""') || rest.startsWith("'''") ? rest.slice(0, 3) : rest.slice(0, 1);
  if ((quote !== '"' && quote !== "'" && quote !== '"""' && quote !== "'''") || rest.length < 2 * quote.length || !rest.endsWith(quote)) {
    return { ok: false, reason: 'unterminated string' };
  }
  const body = rest.slice(quote.length, rest.length - quote.length);
  if (prefix.includes('r')) return { ok: true, value: body };
  return decodeEscapes(body);
}

function decodeEscapes(body: string): LiteralResult<string> {
  if (!body.includes('\\')) return { ok: true, value: body };
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const next = body[i + 1]!;
    if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i++;
    } else if (next === '\n') {
      i++; // line continuation inside the literal
    } else if (next === '\r') {
      i += body[i + 2] === '\n' ? 2 : 1;
    } else if (/[0-7]/.test(next)) {
      const digits = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      out += String.fromCodePoint(parseInt(digits, 8));
      i += digits.length;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const width = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + width);
      if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) return { ok: false, reason: `invalid \\${next} escape` };
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return { ok: false, reason: `invalid \\${next} escape` };
      out += String.fromCodePoint(code);
      i += 1 + width;
    } else if (next === 'N') {
      return { ok: false, reason: 'named unicode escapes are not evaluated' };
    } else {
      // Unknown escapes keep their backslash in Python (`"\d"` is backslash + d): regexes rely on it.
      out += ch;
    }
  }
  return { ok: true, value: out };
}
