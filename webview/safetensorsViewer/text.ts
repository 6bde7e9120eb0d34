/**
 * Untrusted text → safe HTML. Tensor names and metadata come from the file: they may hold markup,
 * quotes, control characters, bidi overrides or zero-width characters. Everything is entity-escaped,
 * and every invisible or control character is shown as a visible `\uXXXX` escape so two names that
 * look alike on screen can be told apart. Pure: no DOM, so unit tests run it under Node.
 */

/**
 * C0/C1 controls and DEL, soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width
 * characters and direction marks, line/paragraph separators, bidi embeddings/overrides/isolates,
 * invisible operators, BOM, interlinear annotation marks, and unpaired surrogates.
 */
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes `& < > " '` (safe in element content and in quoted attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch]);
}

/** `\u0007` for one UTF-16 code unit. */
export function unicodeEscape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** The text with every invisible/control character replaced by its `\uXXXX` escape (for attributes, copies). */
export function visibleText(text: string, keepLineBreaks = false): string {
  return text.replace(INVISIBLE, (ch) => (keepLineBreaks && (ch === '\n' || ch === '\t') ? ch : unicodeEscape(ch)));
}

/** Cuts `text` to at most `max` UTF-16 units without splitting a surrogate pair. */
export function truncate(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return { text: text.slice(0, end), cut: true };
}

/**
 * Untrusted text as HTML element content: escaped, control characters as highlighted `\uXXXX`
 * escapes. `keepLineBreaks` keeps `\n` and `\t` (metadata values are often pretty-printed JSON).
 */
export function textHtml(text: string, keepLineBreaks = false): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(INVISIBLE)) {
    const ch = match[0];
    const at = match.index ?? 0;
    if (keepLineBreaks && (ch === '\n' || ch === '\t')) continue;
    html += escapeHtml(text.slice(last, at));
    const code = `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    html += `<span class="ctl" title="invisible or control character ${code}">${escapeHtml(unicodeEscape(ch))}</span>`;
    last = at + ch.length;
  }
  return html + escapeHtml(text.slice(last));
}

/** Untrusted text as a quoted attribute value's content (escaped, controls visible, length capped). */
export function attrText(text: string, max = 2000): string {
  const { text: shown, cut } = truncate(text, max);
  return escapeHtml(visibleText(shown) + (cut ? '…' : ''));
}
