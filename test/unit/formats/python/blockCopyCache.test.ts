/**
 * The copier's block cache: a statement inside a block copied earlier is reused only when that
 * gives exactly what a fresh copy gives. Checked directly on the copies (SyntaxNode trees) of every
 * top-level statement, a long-lived copier against a new one, over edits that move statements to
 * other columns, break them, and repeat the same text in other places.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Parser } from 'web-tree-sitter';
import { loadPython } from '../../../../src/formats/python/loader';
import { interestingPattern, SyntaxCopier, type ErrorRange, type SyntaxNode } from '../../../../src/formats/python/syntax';
import { collectSyntaxErrors } from '../../../../src/formats/python/syntaxErrors';
import { wasmPaths } from './helpers';

const METHOD = 'def __init__(self, dim=4):\n        super().__init__()\n        self.fc = nn.Linear(dim, 8)\n        self.mlp = nn.Sequential(nn.Linear(8, 8), nn.ReLU())\n';

const VERSIONS = [
  `import torch.nn as nn\n\n\nclass A(nn.Module):\n    ${METHOD}`,
  // The same method one level deeper (other column, same text).
  `import torch.nn as nn\n\n\ndef build():\n    class A(nn.Module):\n        ${METHOD}    return A\n`,
  // Back at column 4, then broken inside and after.
  `import torch.nn as nn\n\n\nclass A(nn.Module):\n    ${METHOD}`,
  `import torch.nn as nn\n\n\nclass A(nn.Module):\n    ${METHOD.replace('nn.Linear(dim, 8)', 'nn.Linear(dim, (8')}`,
  `import torch.nn as nn\n\n\nclass A(nn.Module):\n    ${METHOD}        self.out = nn.Linear(8,\n`,
  `import torch.nn as nn\n\n\nclass A(nn.Module):\n    ${METHOD}        self.out = nn.Linear(8, 2)\n\n\nclass B(A):\n    ${METHOD}`,
  // The method's lines as a block of an `if` (same text, other parent).
  `import torch.nn as nn\n\nif True:\n    ${METHOD}`,
  `import torch.nn as nn\n\n\nclass A(nn.Module):\n    ${METHOD.replace('super().__init__()', 'super().__init__(')}`,
];

function copyAll(parser: Parser, copier: SyntaxCopier, text: string): SyntaxNode[] {
  const tree = parser.parse(text);
  if (!tree) throw new Error('no tree');
  const out: SyntaxNode[] = [];
  const cursor = tree.walk();
  try {
    if (cursor.gotoFirstChild()) {
      do {
        const node = cursor.currentNode;
        const ranges: ErrorRange[] = node.hasError || node.isError || node.isMissing
          ? collectSyntaxErrors(node).map((e) => ({ start: node.startIndex + e.span.start, end: node.startIndex + e.span.end }))
          : [];
        out.push(copier.copyStatement(cursor, text, ranges));
      } while (cursor.gotoNextSibling());
    }
  } finally {
    cursor.delete();
    tree.delete();
  }
  return out;
}

describe('SyntaxCopier block cache', () => {
  it('gives the same copies as a fresh copier, version after version', async () => {
    const loaded = await loadPython(wasmPaths);
    const parser = new Parser();
    parser.setLanguage(loaded.language);
    const longLived = new SyntaxCopier(loaded, interestingPattern([]));
    try {
      for (const [round, order] of [VERSIONS, [...VERSIONS].reverse()].entries()) {
        order.forEach((text, i) => {
          const expected = copyAll(parser, new SyntaxCopier(loaded, interestingPattern([])), text);
          assert.deepEqual(copyAll(parser, longLived, text), expected, `round ${round}, version ${i}`);
        });
      }
    } finally {
      parser.delete();
    }
  });

  it('reuses a clean method copy at the same column (moved to the new offsets)', async () => {
    const loaded = await loadPython(wasmPaths);
    const parser = new Parser();
    parser.setLanguage(loaded.language);
    const copier = new SyntaxCopier(loaded, interestingPattern([]));
    try {
      const first = copyAll(parser, copier, VERSIONS[0]!);
      const shifted = '# one more line\n' + VERSIONS[0]!;
      const second = copyAll(parser, copier, shifted);
      const fresh = copyAll(parser, new SyntaxCopier(loaded, interestingPattern([])), shifted);
      assert.deepEqual(second, fresh);
      // The method node came from the cache: same shape, every offset 16 characters later.
      const method = (nodes: SyntaxNode[]) => nodes.find((n) => n.type === 'class_definition')!.children.find((c) => c.type === 'block')!.children[0]!;
      assert.equal(method(second).start, method(first).start + 16);
    } finally {
      parser.delete();
    }
  });
});
