/**
 * LineTable.edited: the table updated around an edit answers every position exactly as a table
 * built from the whole new text, for random edits (line breaks added, removed, at the edges of the
 * edit, `\r\n` documents).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineTable } from '../../../../src/formats/python/positions';
import { diffTexts } from '../../../../src/formats/python/textEdit';

function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => (state = (state * 1103515245 + 12345) % 2 ** 31) % n;
}

const PIECES = ['\n', '\n\n', 'x', 'ab\ncd', '', '  \n  ', '\r\n', 'é😀\n'];

function positions(table: LineTable, text: string): string {
  const out: string[] = [];
  for (let i = 0; i <= text.length; i++) {
    const p = table.position(i);
    out.push(`${p.line}:${p.character}`);
  }
  return out.join(' ');
}

describe('LineTable.edited', () => {
  it('equals a table of the whole new text after random edits', () => {
    for (const [seed, withCr] of [[1, false], [2, false], [3, true]] as const) {
      const rand = random(seed);
      let text = 'import torch\n\nclass A:\n    pass\n\nx = 1\n';
      let table = new LineTable(text);
      for (let i = 0; i < 200; i++) {
        const at = rand(text.length + 1);
        const cut = Math.min(text.length, at + rand(6));
        let piece = PIECES[rand(PIECES.length)]!;
        if (!withCr) piece = piece.replace(/\r/g, '');
        const next = text.slice(0, at) + piece + text.slice(cut);
        const edit = diffTexts(text, next);
        table = edit ? LineTable.edited(table, next, edit) : new LineTable(next);
        text = next;
        assert.equal(positions(table, text), positions(new LineTable(text), text), `seed ${seed}, edit ${i}`);
      }
    }
  });
});
