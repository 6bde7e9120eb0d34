import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
export const examples = path.join(repoRoot, 'examples');
export const link = { argsJson: JSON.stringify(['file:///workspace/doc']) };

export function readExample(relative: string): string {
  return readFileSync(path.join(examples, relative), 'utf8');
}

export const wasmPaths = {
  runtime: path.join(repoRoot, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'),
  grammar: path.join(repoRoot, 'node_modules/@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm'),
};
