/** One incremental Python parser per open document (tree-sitter reuses the previous tree). */
import * as path from 'node:path';
import { createPythonParser, type PythonModelParser } from '../../formats/python';

export class PythonParsers {
  private readonly parsers = new Map<string, Promise<PythonModelParser>>();

  constructor(private readonly extensionPath: string) {}

  get(key: string): Promise<PythonModelParser> {
    let parser = this.parsers.get(key);
    if (!parser) {
      parser = createPythonParser({
        runtime: path.join(this.extensionPath, 'dist', 'web-tree-sitter.wasm'),
        grammar: path.join(this.extensionPath, 'dist', 'tree-sitter-python.wasm'),
      });
      this.parsers.set(key, parser);
      parser.catch(() => this.parsers.delete(key));
    }
    return parser;
  }

  release(key: string): void {
    const parser = this.parsers.get(key);
    this.parsers.delete(key);
    parser?.then((p) => p.dispose(), () => undefined);
  }

  dispose(): void {
    for (const key of [...this.parsers.keys()]) this.release(key);
  }
}
