/**
 * UTF-16 offsets to VS Code positions. Lines break at `\r\n`, `\r` or `\n`, as in VS Code's text
 * model (tree-sitter's own rows count `\n` only, so they are not used).
 */
import type { SourcePosition, SourceRange } from './types';

export class LineTable {
  /** lineStarts[i] is the UTF-16 offset where line i begins. */
  private readonly lineStarts: number[] = [0];

  /** True when the text has a `\r` (then `edited` scans the whole text). */
  private readonly hasCarriageReturn: boolean;

  constructor(text: string) {
    this.hasCarriageReturn = text.includes('\r');
    if (!this.hasCarriageReturn) {
      // The common case, with the native scanner.
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.lineStarts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.lineStarts.push(i + 1);
      }
    }
  }

  /**
   * The table of `text`, made from `previous` (the table of the text before `edit`) by scanning
   * only the edited span: line starts before it are kept, later ones moved by the length change.
   * Texts with `\r` are scanned whole (a `\r\n` pair may straddle the edit).
   */
  static edited(previous: LineTable, text: string, edit: { startIndex: number; oldEndIndex: number; newEndIndex: number }): LineTable {
    if (previous.hasCarriageReturn || text.includes('\r')) return new LineTable(text);
    const table = new LineTable('');
    const starts = table.lineStarts;
    const old = previous.lineStarts;
    const { startIndex, oldEndIndex, newEndIndex } = edit;
    const delta = newEndIndex - oldEndIndex;
    // A line start s follows the `\n` at s - 1.
    let i = 1;
    for (; i < old.length && old[i]! <= startIndex; i++) starts.push(old[i]!);
    for (let j = text.indexOf('\n', startIndex); j !== -1 && j < newEndIndex; j = text.indexOf('\n', j + 1)) starts.push(j + 1);
    for (; i < old.length; i++) if (old[i]! - 1 >= oldEndIndex) starts.push(old[i]! + delta);
    return table;
  }

  /** The line of the last lookup: callers often ask in file order, so the next answer is usually at or just after it. */
  private lastLine = 0;

  position(offset: number): SourcePosition {
    const starts = this.lineStarts;
    let line = this.lastLine;
    if (starts[line]! <= offset) {
      // Walk forward a few lines before falling back to binary search.
      for (let steps = 0; steps < 8; steps++) {
        const next = starts[line + 1];
        if (next === undefined || next > offset) {
          this.lastLine = line;
          return { line, character: offset - starts[line]! };
        }
        line++;
      }
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.lastLine = lo;
    return { line: lo, character: offset - starts[lo]! };
  }

  range(start: number, end: number): SourceRange {
    return { start: this.position(start), end: this.position(end) };
  }
}
