/** package.json is the extension manifest: its commands and settings must match the code. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('extension manifest', () => {
  it('never activates on *', () => {
    assert.ok(!manifest.activationEvents.includes('*'));
  });
  it('every command is in the LoRA Lens category with a loraLens.* id', () => {
    for (const c of manifest.contributes.commands) {
      assert.equal(c.category, 'LoRA Lens', c.command);
      assert.match(c.command, /^loraLens\./);
    }
  });
  it('every setting has a scope and a markdownDescription, and enums describe each value', () => {
    for (const [key, s] of Object.entries<Record<string, unknown>>(manifest.contributes.configuration.properties)) {
      assert.match(key, /^loraLens\./);
      assert.ok(s.scope, `${key} has no scope`);
      assert.ok(s.markdownDescription, `${key} has no markdownDescription`);
      if (s.enum) assert.equal((s.enumDescriptions as unknown[]).length, (s.enum as unknown[]).length, key);
    }
  });
  it('the typed settings mirror lists exactly the manifest settings', () => {
    const source = fs.readFileSync(path.join(root, 'src', 'extension', 'settings.ts'), 'utf8');
    const keys = /SETTING_KEYS = \[([^\]]*)\]/.exec(source)?.[1].match(/'[^']+'/g)?.map((k) => `loraLens.${k.slice(1, -1)}`) ?? [];
    assert.deepEqual(keys.sort(), Object.keys(manifest.contributes.configuration.properties).sort());
  });
  it('is a workspace extension that runs on VS Code 1.100', () => {
    assert.deepEqual(manifest.extensionKind, ['workspace']);
    assert.equal(manifest.engines.vscode, '^1.100.0');
  });
});
