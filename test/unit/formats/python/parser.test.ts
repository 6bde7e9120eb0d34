import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPythonParser, MAX_SOURCE_CHARS } from '../../../../src/formats/python';
import { pythonWasmLoadCount } from '../../../../src/formats/python/loader';
import { FormatError } from '../../../../src/formats/types';
import { syntheticModelSource } from '../../../fixtures/python/synthetic';
import { newParser, wasmPaths } from './helpers';

describe('python parser lifecycle', () => {
  it('loads the wasm files once for any number of parsers', async () => {
    const [a, b] = await Promise.all([createPythonParser(wasmPaths), createPythonParser(wasmPaths)]);
    const loads = pythonWasmLoadCount();
    const c = await createPythonParser(wasmPaths);
    assert.equal(pythonWasmLoadCount(), loads);
    assert.ok(loads <= 2, `runtime + grammar loaded ${loads} times`); // one runtime, one grammar
    for (const p of [a, b, c]) p.dispose();
  });

  it('names the wasm file when it cannot be loaded', async () => {
    await assert.rejects(
      createPythonParser({ ...wasmPaths, grammar: '/nonexistent/tree-sitter-python.wasm' }),
      (err: unknown) => err instanceof FormatError && err.file === '/nonexistent/tree-sitter-python.wasm',
    );
    await assert.rejects(
      createPythonParser({ ...wasmPaths, grammar: __filename }),
      (err: unknown) => err instanceof FormatError && /not a WebAssembly file/.test(err.message),
    );
  });

  it('refuses analysis after dispose and skips oversized documents', async () => {
    const p = await newParser();
    const big = p.analyze('x = 1\n'.repeat(Math.ceil(MAX_SOURCE_CHARS / 6) + 1));
    assert.match(big.skipped ?? '', /limit/);
    p.dispose();
    assert.throws(() => p.analyze('x = 1\n'));
  });

  it('incremental re-analysis after edits equals a fresh analysis', async () => {
    const incremental = await newParser();
    let text = syntheticModelSource(120);
    incremental.analyze(text);
    // Deterministic pseudo-random edits: inserts, deletes, replacements, non-ASCII, line breaks, CRLF.
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const pieces = ['1', ' + 2', 'é', '😀', '\n', '\r\n', 'nn.Linear(3, 4)', ')', '(', '    ', '# 注释\n', ''];
    for (let i = 0; i < 30; i++) {
      const at = rand(text.length);
      const removed = rand(4) === 0 ? rand(20) : 0;
      let cut = Math.min(text.length, at + removed);
      // keep surrogate pairs whole so the document stays valid UTF-16
      let start = at;
      if (start > 0 && /[\uDC00-\uDFFF]/.test(text[start]!)) start--;
      if (cut < text.length && /[\uDC00-\uDFFF]/.test(text[cut]!)) cut++;
      text = text.slice(0, start) + pieces[rand(pieces.length)] + text.slice(cut);
      const fresh = await newParser();
      assert.deepEqual(incremental.analyze(text), fresh.analyze(text), `after edit ${i}`);
      fresh.dispose();
    }
    incremental.dispose();
  });

  it('returns the same result object for unchanged text', async () => {
    const p = await newParser();
    const text = 'import torch.nn as nn\nnn.Linear(1, 2)\n';
    assert.equal(p.analyze(text), p.analyze(text));
    p.dispose();
  });
});
