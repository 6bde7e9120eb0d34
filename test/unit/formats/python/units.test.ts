import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeStringLiteral, parseFloatLiteral, parseIntegerLiteral } from '../../../../src/formats/python/literals';
import { LineTable } from '../../../../src/formats/python/positions';
import { diffTexts } from '../../../../src/formats/python/textEdit';

describe('python literals', () => {
  it('integers and floats', () => {
    assert.deepEqual(parseIntegerLiteral('0b101'), { ok: true, value: 5 });
    assert.deepEqual(parseIntegerLiteral('0o17'), { ok: true, value: 15 });
    assert.equal(parseIntegerLiteral('2j').ok, false);
    assert.deepEqual(parseFloatLiteral('1e-4'), { ok: true, value: 1e-4 });
    assert.deepEqual(parseFloatLiteral('.5'), { ok: true, value: 0.5 });
    assert.equal(parseFloatLiteral('1e999').ok, false);
  });

  it('strings', () => {
    assert.deepEqual(decodeStringLiteral(String.raw`"a\tb\x41\u00e9\d"`), { ok: true, value: 'a\tbAé\\d' });
    assert.deepEqual(decodeStringLiteral(String.raw`r'\n'`), { ok: true, value: '\\n' });
    assert.deepEqual(decodeStringLiteral(`'''x'y'''`), { ok: true, value: "x'y" });
    assert.equal(decodeStringLiteral(`b"x"`).ok, false);
    assert.equal(decodeStringLiteral(`F"x"`).ok, false);
  });
});

describe('python positions and edits', () => {
  it('line table follows VS Code: \\r\\n, \\r and \\n all break lines', () => {
    const t = new LineTable('a\r\nb\rc\nd😀e');
    assert.deepEqual(t.position(3), { line: 1, character: 0 });
    assert.deepEqual(t.position(5), { line: 2, character: 0 });
    assert.deepEqual(t.position(10), { line: 3, character: 3 });
  });

  it('diff gives tree-sitter points with \\n rows and UTF-16 columns', () => {
    const e = diffTexts('ab\ncé😀x\n', 'ab\ncé😀yz\n')!;
    // a b \n c é 😀(2 units) x: the change starts at x, index 7, column 4 of row 1.
    assert.equal(e.startIndex, 7);
    assert.equal(e.oldEndIndex, 8);
    assert.equal(e.newEndIndex, 9);
    assert.deepEqual(e.startPosition, { row: 1, column: 4 });
    assert.deepEqual(e.oldEndPosition, { row: 1, column: 5 });
    assert.deepEqual(e.newEndPosition, { row: 1, column: 6 });
    assert.equal(diffTexts('same', 'same'), undefined);
    // A change inside a surrogate pair moves the boundary out of it.
    const s = diffTexts('\uD83D\uDE00', '\uD83D\uDE01')!;
    assert.deepEqual([s.startIndex, s.oldEndIndex, s.newEndIndex], [0, 2, 2]);
  });
});
