/**
 * Formatting-preserving edit of one top-level property: replace its value, or insert the property
 * when it is absent. Every other byte of the file stays as it was (indentation style and line
 * endings are copied from the file).
 */
import { LineTable } from '../../formats/python/positions';
import type { TextEditSpec } from '../types';
import { findProperty, type JsonObjectNode } from './jsonDocument';

/** Applies one edit to a text (for tests and previews). */
export function applyTextEdit(text: string, edit: Pick<TextEditSpec, 'offset' | 'length' | 'newText'>): string {
  return text.slice(0, edit.offset) + edit.newText + text.slice(edit.offset + edit.length);
}

/**
 * The edit that makes `root[key]` equal to the flat object `value`, written in the file's style.
 * When the key is absent it is inserted where an alphabetical order would put it if the keys are
 * sorted (PEFT saves them sorted), else at the end.
 */
export function setTopLevelObjectProperty(
  text: string,
  root: JsonObjectNode,
  key: string,
  value: Readonly<Record<string, number | string | boolean | null>>,
  lines: LineTable = new LineTable(text),
): TextEditSpec {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const unit = indentUnit(text);
  const existing = findProperty(root, key);
  // An empty root gets the pretty-printed layout PEFT writes; otherwise follow the file.
  const multiline = root.properties.length === 0 || spansLines(text, root.offset, root.end);
  if (existing) {
    const propertyIndent = lineIndent(text, existing.keySpan.offset);
    const newText = serializeFlatObject(value, multiline, propertyIndent, unit, eol);
    return makeEdit(lines, existing.value.offset, existing.value.end - existing.value.offset, newText);
  }
  const props = root.properties;
  if (props.length === 0) {
    const newText = multiline
      ? `{${eol}${unit}${JSON.stringify(key)}: ${serializeFlatObject(value, true, unit, unit, eol)}${eol}}`
      : `{${JSON.stringify(key)}: ${serializeFlatObject(value, false, '', unit, eol)}}`;
    return makeEdit(lines, root.offset, root.end - root.offset, newText);
  }
  const sorted = props.every((p, i) => i === 0 || props[i - 1]!.key <= p.key);
  const before = sorted ? props.filter((p) => p.key < key).pop() : props[props.length - 1];
  const propertyIndent = lineIndent(text, props[0]!.keySpan.offset);
  const separator = multiline ? `${eol}${propertyIndent}` : ' ';
  const entry = `${JSON.stringify(key)}: ${serializeFlatObject(value, multiline, propertyIndent, unit, eol)}`;
  if (!before) {
    // Goes first: insert before the first key, followed by a comma.
    const at = props[0]!.keySpan.offset;
    return makeEdit(lines, at, 0, `${entry},${separator}`);
  }
  const at = before.value.end;
  return makeEdit(lines, at, 0, `,${separator}${entry}`);
}

function makeEdit(lines: LineTable, offset: number, length: number, newText: string): TextEditSpec {
  return { offset, length, newText, range: lines.range(offset, offset + length) };
}

/** `{"a": 1, "b": 2}` on one line, or one entry per line indented one unit deeper than `indent`. */
export function serializeFlatObject(
  value: Readonly<Record<string, number | string | boolean | null>>,
  multiline: boolean,
  indent: string,
  unit: string,
  eol: string,
): string {
  const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  if (entries.length === 0) return '{}';
  if (!multiline) return `{${entries.join(', ')}}`;
  return `{${eol}${entries.map((e) => `${indent}${unit}${e}`).join(`,${eol}`)}${eol}${indent}}`;
}

/** The file's indentation unit: the leading whitespace of the first indented line, default 2 spaces. */
export function indentUnit(text: string): string {
  const m = /\n([ \t]+)\S/.exec(text);
  return m ? m[1]! : '  ';
}

/** Leading whitespace of the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const lineStart = Math.max(text.lastIndexOf('\n', offset - 1) + 1, 0);
  const m = /^[ \t]*/.exec(text.slice(lineStart, offset));
  return m ? m[0] : '';
}

function spansLines(text: string, from: number, to: number): boolean {
  const nl = text.indexOf('\n', from);
  return nl >= 0 && nl < to;
}
