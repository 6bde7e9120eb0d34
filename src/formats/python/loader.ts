/**
 * Loads the tree-sitter runtime and the Python grammar from wasm files on disk, once per process.
 * The extension passes the copies in its `dist/` folder; tests pass the node_modules originals.
 */
import { readFile } from 'node:fs/promises';
import { Language, Parser } from 'web-tree-sitter';
import { FormatError } from '../types';

export interface PythonWasmPaths {
  /** Path of `web-tree-sitter.wasm`. */
  runtime: string;
  /** Path of `tree-sitter-python.wasm`. */
  grammar: string;
}

/** The loaded grammar plus lookup tables turning numeric ids into names without allocating. */
export interface LoadedPython {
  language: Language;
  /** typeNames[symbolId] is the node type (`call`, `identifier`, `(`, …). */
  typeNames: string[];
  /** fieldNames[fieldId] is the field name, or '' for id 0 (no field). */
  fieldNames: string[];
  /** namedTypes[symbolId] is false for anonymous tokens (punctuation, operators, keywords). */
  namedTypes: boolean[];
}

/** Refuse absurd wasm files instead of reading them into memory. */
const MAX_WASM_BYTES = 64 * 1024 * 1024;

let runtimePromise: Promise<void> | undefined;
const grammarPromises = new Map<string, Promise<LoadedPython>>();
let loads = 0;

/** How many times wasm files were actually read and instantiated (for tests of memoisation). */
export function pythonWasmLoadCount(): number {
  return loads;
}

/**
 * Memoised: every call with the same grammar path shares one promise. A failed load is forgotten
 * so that a later call can retry (for instance after the user fixes the installation).
 * The runtime can be initialised only once per process; the first runtime path wins.
 */
export function loadPython(paths: PythonWasmPaths): Promise<LoadedPython> {
  let promise = grammarPromises.get(paths.grammar);
  if (!promise) {
    promise = loadUncached(paths);
    grammarPromises.set(paths.grammar, promise);
    promise.catch(() => grammarPromises.delete(paths.grammar));
  }
  return promise;
}

async function loadUncached(paths: PythonWasmPaths): Promise<LoadedPython> {
  if (!runtimePromise) {
    runtimePromise = initRuntime(paths.runtime);
    runtimePromise.catch(() => (runtimePromise = undefined));
  }
  await runtimePromise;
  const bytes = await readWasm(paths.grammar);
  let language: Language;
  try {
    language = await Language.load(bytes);
  } catch (err) {
    throw new FormatError(paths.grammar, `not a loadable tree-sitter grammar (${errorMessage(err)})`);
  }
  loads++;
  const typeNames: string[] = [];
  const namedTypes: boolean[] = [];
  for (let id = 0; id < language.nodeTypeCount; id++) {
    typeNames.push(language.nodeTypeForId(id) ?? '');
    namedTypes.push(language.nodeTypeIsNamed(id));
  }
  const fieldNames: string[] = [''];
  for (let id = 1; id <= language.fieldCount; id++) fieldNames.push(language.fieldNameForId(id) ?? '');
  const loaded = { language, typeNames, fieldNames, namedTypes };
  checkUtf16Offsets(loaded, paths.grammar);
  return loaded;
}

async function initRuntime(path: string): Promise<void> {
  const wasmBinary = await readWasm(path);
  try {
    await Parser.init({ wasmBinary: wasmBinary.buffer as ArrayBuffer });
  } catch (err) {
    throw new FormatError(path, `the tree-sitter runtime did not start (${errorMessage(err)})`);
  }
  loads++;
}

async function readWasm(path: string): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new FormatError(path, `cannot read wasm file (${errorMessage(err)})`);
  }
  if (bytes.length > MAX_WASM_BYTES) throw new FormatError(path, `wasm file is implausibly large (${bytes.length} bytes)`);
  // \0asm magic: a clear message instead of a WebAssembly.CompileError deep in emscripten.
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new FormatError(path, 'not a WebAssembly file');
  }
  // A private copy whose .buffer holds exactly these bytes (Node may pool small Buffers).
  return new Uint8Array(bytes);
}

/**
 * Everything downstream assumes node offsets are UTF-16 code units into the JavaScript string
 * (web-tree-sitter 0.2x feeds strings to the parser as UTF-16). A change of that convention in a
 * future release would silently misplace every hint, so check it once at load time.
 */
function checkUtf16Offsets(loaded: LoadedPython, grammarPath: string): void {
  const parser = new Parser();
  try {
    parser.setLanguage(loaded.language);
    const probe = 's = "é😀"\nx = 1\n';
    const tree = parser.parse(probe);
    if (!tree) throw new FormatError(grammarPath, 'the parser produced no tree for a probe string');
    const last = tree.rootNode.child(1);
    const ok = last !== null && last.startIndex === probe.indexOf('x = 1');
    tree.delete();
    if (!ok) throw new FormatError(grammarPath, 'web-tree-sitter no longer reports UTF-16 offsets; source ranges would be wrong');
  } finally {
    parser.delete();
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
