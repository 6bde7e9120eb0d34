/**
 * tfjs-backend-wasm (XNNPACK). In Node it needs `setWasmPaths(dir)` pointing at the folder that holds the
 * `.wasm` files. tfjs 4.22 reports multi-threading as unsupported in Node (tfjs issue #3830), so Node
 * always loads the single-threaded `tfjs-backend-wasm-simd.wasm` (or the plain one without SIMD).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorBackend } from './types';
import { runtimeResolve } from './runtimeRequire';

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** The folder set with setWasmPaths; the wasm module initialises once per process, so it cannot change. */
let configuredDir: string | undefined;

/** Candidate folders for the `.wasm` files, most specific first. */
function wasmDirCandidates(explicit: string | undefined): string[] {
  if (explicit !== undefined) return [explicit];
  const dirs = [__dirname];
  const entry = runtimeResolve('@tensorflow/tfjs-backend-wasm');
  if (entry !== undefined) dirs.push(path.dirname(entry));
  return dirs;
}

function hasWasmFiles(dir: string): boolean {
  return WASM_FILES.every((f) => fs.existsSync(path.join(dir, f)));
}

export async function loadWasmBackend(wasmDir?: string): Promise<Omit<TensorBackend, 'attempts'>> {
  const candidates = wasmDirCandidates(wasmDir);
  const dir = candidates.find(hasWasmFiles);
  if (dir === undefined) {
    throw new Error(`tfjs-backend-wasm*.wasm not found in ${candidates.map((d) => JSON.stringify(d)).join(' or ')}`);
  }
  const resolved = path.resolve(dir);
  if (configuredDir === undefined) {
    setWasmPaths(resolved.endsWith(path.sep) ? resolved : resolved + path.sep);
    configuredDir = resolved;
  }
  if (!(await tf.setBackend('wasm'))) throw new Error(`tfjs-backend-wasm failed to initialise from ${configuredDir}`);
  await tf.ready();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  const file = simd && threads ? WASM_FILES[2] : simd ? WASM_FILES[1] : WASM_FILES[0];
  return {
    tf,
    name: 'wasm',
    version: version_wasm,
    engineName: 'wasm',
    device: 'CPU',
    wasm: { simd, threads, threadCount: getThreadsCount(), file: file ?? '', dir: configuredDir },
  };
}
