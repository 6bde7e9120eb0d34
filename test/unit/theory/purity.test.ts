/**
 * src/theory is bundled into the browser webview: it must import nothing but its own modules
 * (no node:, no vscode, no packages). This guards the rule mechanically.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// Compiled to out/test/unit/theory; the sources live in <repo>/src/theory.
const theoryDir = join(__dirname, '..', '..', '..', '..', 'src', 'theory');

describe('src/theory purity', () => {
  it('imports only relative theory modules and uses no Node or VS Code globals', () => {
    const files = readdirSync(theoryDir).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length >= 10, `found ${files.length} files in ${theoryDir}`);
    for (const file of files) {
      const text = readFileSync(join(theoryDir, file), 'utf8');
      for (const m of text.matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)) {
        assert.match(m[1], /^\.\/[\w.]+$/, `${file} imports ${m[1]}`);
      }
      assert.doesNotMatch(text, /\b(process|Buffer|__dirname|globalThis\.require)\b/, `${file} uses a Node global`);
    }
  });
});
