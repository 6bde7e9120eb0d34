import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createPythonParser, type PythonModelParser, type SourceRange } from '../../../../src/formats/python';

/** Repository root, from out/test/unit/formats/python. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..', '..');

export const wasmPaths = {
  runtime: path.join(repoRoot, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'),
  grammar: path.join(repoRoot, 'node_modules/@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm'),
};

export function fixture(name: string): string {
  return readFileSync(path.join(repoRoot, 'test/fixtures/python', name), 'utf8');
}

/** `r(1, 4, 1, 9)`: a range from line 1 char 4 to line 1 char 9. */
export function r(l1: number, c1: number, l2: number, c2: number): SourceRange {
  return { start: { line: l1, character: c1 }, end: { line: l2, character: c2 } };
}

export function newParser(): Promise<PythonModelParser> {
  return createPythonParser(wasmPaths);
}

/** The text a range covers, cut by VS Code's line rules (\r\n, \r, \n) and UTF-16 characters. */
export function textAt(source: string, range: SourceRange): string {
  const lines = source.split(/\r\n|\r|\n/);
  const offset = (line: number, character: number) => {
    let total = 0;
    for (let i = 0; i < line; i++) total += lines[i]!.length + (source.slice(total + lines[i]!.length).match(/^(\r\n|\r|\n)/)?.[0].length ?? 0);
    return total + character;
  };
  return source.slice(offset(range.start.line, range.start.character), offset(range.end.line, range.end.character));
}
