/** Picks and activates the tensor backend: tfjs-node-gpu → tfjs-node → wasm → cpu. */
import {
  BACKEND_ORDER,
  BackendUnavailableError,
  type BackendAttempt,
  type BackendName,
  type BackendPreference,
  type LoadBackendOptions,
  type TensorBackend,
} from './types';

import { loadCpuBackend } from './cpuBackend';
import { loadNodeTensorflow } from './nodeTensorflow';
import { loadWasmBackend } from './wasmBackend';

type Loaded = Omit<TensorBackend, 'attempts'>;

async function loadOne(name: BackendName, opts: LoadBackendOptions): Promise<Loaded> {
  // The native packages are required inside their loader, at run time only, so their absence is an
  // ordinary failed attempt.
  switch (name) {
    case 'tensorflow-gpu':
      return loadNodeTensorflow(true);
    case 'tensorflow':
      return loadNodeTensorflow(false);
    case 'wasm':
      return loadWasmBackend(opts.wasmDir);
    case 'cpu':
      return loadCpuBackend();
  }
}

/**
 * Loads and activates a backend. `auto` returns the first of {@link BACKEND_ORDER} that loads; a named
 * preference loads exactly that one or throws {@link BackendUnavailableError} naming it and why.
 * The result's `attempts` lists everything tried, so callers can always report which backend ran.
 */
export async function loadBackend(preference: BackendPreference, opts: LoadBackendOptions = {}): Promise<TensorBackend> {
  const order = preference === 'auto' ? BACKEND_ORDER : [preference];
  if (preference !== 'auto' && !BACKEND_ORDER.includes(preference)) {
    throw new BackendUnavailableError(preference, [{ name: preference, ok: false, reason: 'unknown backend name' }]);
  }
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const loaded = await loadOne(name, opts);
      attempts.push({ name, ok: true });
      return { ...loaded, attempts };
    } catch (err) {
      attempts.push({ name, ok: false, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  throw new BackendUnavailableError(preference, attempts);
}

/** "wasm 4.22.0 (SIMD, 1 thread, tfjs-backend-wasm-simd.wasm)" — for logs and reports. */
export function describeBackend(b: TensorBackend): string {
  const extra: string[] = [];
  if (b.device !== undefined && b.name !== 'wasm' && b.name !== 'cpu') extra.push(b.device);
  if (b.wasm) {
    extra.push(b.wasm.simd ? 'SIMD' : 'no SIMD', `${b.wasm.threadCount} thread${b.wasm.threadCount === 1 ? '' : 's'}`, b.wasm.file);
  }
  return `${b.name} ${b.version}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
}
