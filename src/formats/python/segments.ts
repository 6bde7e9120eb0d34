/**
 * Segmented parsing: the document as runs of whole top-level statements ("segments"), each parsed
 * by tree-sitter on its own, so that an edit re-parses about `SEGMENT_CHARS` characters instead of
 * the whole file. (tree-sitter's incremental re-parse still costs time linear in the number of
 * statements it reuses, about 1 µs per line here: 2 ms for a 2,000-line file, most of the budget.)
 *
 * Parsing the pieces apart gives the same statements as parsing the whole only when nothing
 * crosses a boundary. The rules, checked on every segment that is (re)parsed:
 * - the segment parses without any ERROR or MISSING node (with errors, recovery may reach across
 *   statements: the caller then parses the whole document instead);
 * - a segment after the first starts a line with a statement at column 0: no indentation (which
 *   would continue the previous block), no comment or blank line (whose place in the tree depends
 *   on what comes before);
 * - a segment before the last ends with a line break, not after a backslash continuation, and
 *   nothing but whitespace follows its last statement, which is not a comment (a trailing comment
 *   may belong to the next statement's surroundings).
 * The tokenizer state at such a boundary is the initial one (no open bracket or string, indent 0),
 * and the end of input closes blocks exactly as a line at column 0 does, so each segment's tree is
 * the corresponding part of the whole-document tree. The equivalence tests check this on random
 * edit sequences against a whole-document parse.
 */
import type { Tree } from 'web-tree-sitter';
import type { StatementSummary } from './ir';

/** A segment is cut at the first statement boundary after this many characters. */
export const SEGMENT_CHARS = 2000;
/** A segment that grew past this (a paste, say) is cut again. */
export const MAX_SEGMENT_CHARS = 4 * SEGMENT_CHARS;

/** One top-level statement; offsets relative to the start of its segment's text. */
export interface SegmentStatement {
  start: number;
  end: number;
  text: string;
  summary: StatementSummary;
  /** True for a `comment` node (a boundary never follows one). */
  comment: boolean;
}

export interface Segment {
  /** Absolute UTF-16 offset of `text` in the current document. */
  start: number;
  text: string;
  /** Its own tree, once it has been parsed on its own (segments cut from a whole-document tree have none). */
  tree: Tree | undefined;
  statements: SegmentStatement[];
  /** Parsed with syntax errors or not yet checked: its statements are stale, segments cannot serve. */
  dirty: boolean;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12 || code === 11;
}

/** May a segment start at `offset` of `text` (a statement starting there, `offset` > 0)? */
export function isCleanStart(text: string, offset: number): boolean {
  return text.charCodeAt(offset - 1) === 10 && startsCleanly(text, offset);
}

/** Does `text` start (at `offset`) with something other than a comment, a `\\` or whitespace (indentation, a blank line)? */
export function startsCleanly(text: string, offset = 0): boolean {
  const c = text.charCodeAt(offset);
  return !Number.isNaN(c) && c !== 35 && c !== 92 && !isSpace(c);
}

/** May a segment end at `end` of `text`, its last statement ending at `lastEnd`? */
export function isCleanEnd(text: string, lastEnd: number, end: number): boolean {
  if (end <= 0 || text.charCodeAt(end - 1) !== 10) return false;
  let i = end - 2;
  if (text.charCodeAt(i) === 13) i--;
  if (text.charCodeAt(i) === 92) return false; // `\` before the line break
  for (let j = lastEnd; j < end; j++) if (!isSpace(text.charCodeAt(j))) return false;
  return true;
}

/**
 * Cuts statements (offsets relative to `text`) into segments of about `SEGMENT_CHARS` at clean
 * boundaries. `base` is the absolute offset of `text`. Statements keep their objects; offsets are
 * made relative to each new segment.
 */
export function cutSegments(text: string, base: number, statements: readonly SegmentStatement[]): Segment[] {
  const out: Segment[] = [];
  let from = 0;
  let firstIndex = 0;
  const close = (to: number, lastIndex: number) => {
    out.push({
      start: base + from,
      text: text.slice(from, to),
      tree: undefined,
      dirty: false,
      statements: statements.slice(firstIndex, lastIndex).map((s) => (from === 0 ? s : { ...s, start: s.start - from, end: s.end - from })),
    });
  };
  for (let i = 1; i < statements.length; i++) {
    const s = statements[i]!;
    const previous = statements[i - 1]!;
    if (s.start - from < SEGMENT_CHARS || s.comment || previous.comment) continue;
    if (!isCleanStart(text, s.start) || !isCleanEnd(text, previous.end, s.start)) continue;
    close(s.start, i);
    from = s.start;
    firstIndex = i;
  }
  close(text.length, statements.length);
  return out;
}

/** Index of the segment holding absolute offset `offset` (the last one for the document end). */
export function segmentAt(segments: readonly Segment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
