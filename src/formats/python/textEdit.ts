/**
 * The single edit that turns one text into another (common prefix and suffix removed), in the
 * form tree-sitter's `Tree.edit` wants: UTF-16 indices and rows/columns where rows count `\n` only
 * (tree-sitter's convention, not VS Code's) and columns are UTF-16 code units.
 */

export interface TreePoint {
  row: number;
  column: number;
}

export interface TreeEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: TreePoint;
  oldEndPosition: TreePoint;
  newEndPosition: TreePoint;
}

const CHUNKS = [8192, 512];

/** Returns undefined when the texts are equal. O(length of the texts), no allocation per character. */
export function diffTexts(oldText: string, newText: string): TreeEdit | undefined {
  if (oldText === newText) return undefined;
  const max = Math.min(oldText.length, newText.length);
  // Compare in chunks first, large then small: slice equality is a native memcmp, far faster
  // than a charCodeAt loop.
  let start = 0;
  for (const chunk of CHUNKS) {
    while (start + chunk <= max && oldText.slice(start, start + chunk) === newText.slice(start, start + chunk)) start += chunk;
  }
  while (start < max && oldText.charCodeAt(start) === newText.charCodeAt(start)) start++;
  // Never split a surrogate pair: move the boundary out of it on either side.
  if (start > 0 && start < max && (isLowSurrogate(oldText.charCodeAt(start)) || isLowSurrogate(newText.charCodeAt(start)))) start--;
  let oldEnd = oldText.length;
  let newEnd = newText.length;
  for (const chunk of CHUNKS) {
    while (oldEnd - chunk >= start && newEnd - chunk >= start && oldText.slice(oldEnd - chunk, oldEnd) === newText.slice(newEnd - chunk, newEnd)) {
      oldEnd -= chunk;
      newEnd -= chunk;
    }
  }
  while (oldEnd > start && newEnd > start && oldText.charCodeAt(oldEnd - 1) === newText.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  if (oldEnd < oldText.length && isLowSurrogate(oldText.charCodeAt(oldEnd))) {
    oldEnd++;
    newEnd++;
  }
  const startPosition = pointAt(oldText, start, 0, { row: 0, column: 0 });
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition,
    oldEndPosition: pointAt(oldText, oldEnd, start, startPosition),
    newEndPosition: pointAt(newText, newEnd, start, startPosition),
  };
}

/** Point of `index`, counting from a known point at `from`. */
function pointAt(text: string, index: number, from: number, fromPoint: TreePoint): TreePoint {
  let row = fromPoint.row;
  let lineStart = from - fromPoint.column;
  let i = text.indexOf('\n', from);
  while (i !== -1 && i < index) {
    row++;
    lineStart = i + 1;
    i = text.indexOf('\n', i + 1);
  }
  return { row, column: index - lineStart };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
