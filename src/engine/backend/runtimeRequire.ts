/**
 * A `require` that bundlers leave alone, for optional native packages (tfjs-node, tfjs-node-gpu) that
 * may be absent: the module name is a variable, so esbuild cannot (and must not) resolve it at build time.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';

const nodeRequire: NodeRequire = createRequire(path.join(__dirname, 'noop.js'));

/** Loads `name` at run time; throws the loader's own error when it is missing or fails to initialise. */
export function runtimeRequire(name: string): unknown {
  return nodeRequire(name);
}

/** Resolves `name` at run time without loading it (undefined when absent). */
export function runtimeResolve(name: string): string | undefined {
  try {
    return nodeRequire.resolve(name);
  } catch {
    return undefined;
  }
}
