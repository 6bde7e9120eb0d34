/** Types shared by the tensor-backend loaders. */
import type * as tfCore from '@tensorflow/tfjs-core';

/** The tfjs namespace a backend runs on (tfjs-node exports a superset of tfjs-core's API). */
export type TfNamespace = typeof tfCore;

import type { BackendName, BackendPreference } from '../../protocol';

/** The names live in protocol.ts (the setting, the reports and the engine share them). */
export type { BackendName, BackendPreference } from '../../protocol';

export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** One entry of the "what was tried" log. */
export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why it failed (absent when ok). */
  reason?: string;
}

/** A loaded, active backend. Every tensor op of the engine goes through `tf`. */
export interface TensorBackend {
  /** The namespace to call: for tfjs-node(-gpu) the one THEY export (they register on their own tfjs-core). */
  tf: TfNamespace;
  name: BackendName;
  /** Version of the package that provides the kernels (e.g. tfjs-backend-wasm 4.22.0). */
  version: string;
  /** The name tfjs uses for the backend (`tensorflow`, `wasm`, `cpu`): what `tf.getBackend()` returns. */
  engineName: string;
  /** GPU or CPU, when the backend says (tfjs-node-gpu). */
  device?: string;
  /** wasm only: SIMD and multi-threading as detected, and the `.wasm` file it loaded. */
  wasm?: { simd: boolean; threads: boolean; threadCount: number; file: string; dir: string };
  /** Everything tried before (and including) this one, in order. */
  attempts: BackendAttempt[];
}

/** Options of {@link loadBackend}. */
export interface LoadBackendOptions {
  /**
   * Folder holding `tfjs-backend-wasm*.wasm`. Default: next to the running bundle (the build copies them
   * to `dist/`), else the package's own `dist/` folder.
   */
  wasmDir?: string;
}

/** Forcing a backend that cannot load, or none loading at all under `auto`. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly requested: BackendPreference,
    readonly attempts: BackendAttempt[],
  ) {
    super(
      requested === 'auto'
        ? `No tensor backend could be loaded: ${describeAttempts(attempts)}`
        : `The ${requested} backend is not available: ${describeAttempts(attempts)}`,
    );
    this.name = 'BackendUnavailableError';
  }
}

/** "tensorflow-gpu: reason; wasm: loaded" — one line for logs and errors. */
export function describeAttempts(attempts: readonly BackendAttempt[]): string {
  return attempts.map((a) => `${a.name}: ${a.ok ? 'loaded' : a.reason ?? 'failed'}`).join('; ');
}
