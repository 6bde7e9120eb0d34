/**
 * Test-only helpers: seeded random matrices, the float64 reference (ml-matrix's SVD, a dev dependency)
 * and the backends under test.
 */
import * as path from 'node:path';
import { Matrix, QR, SVD } from 'ml-matrix';
import { loadBackend } from '../../../../src/engine/backend';
import type { BackendName, TensorBackend } from '../../../../src/engine/backend';

/** The wasm files as installed (the build copies them to dist/; tests use the package's own copy). */
export const WASM_DIR = path.join(__dirname, '../../../../../node_modules/@tensorflow/tfjs-backend-wasm/dist');

/** Deterministic uniform [0, 1) generator (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box–Muller). */
export function gaussian(count: number, seed: number): Float64Array {
  const u = rng(seed);
  const out = new Float64Array(count);
  for (let k = 0; k < count; k += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const t = 2 * Math.PI * u();
    out[k] = r * Math.cos(t);
    if (k + 1 < count) out[k + 1] = r * Math.sin(t);
  }
  return out;
}

/** Row-major m×n product of row-major a (m×k) and b (k×n), float64 (reference only). */
export function multiply(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const ail = a[i * k + l] as number;
      for (let j = 0; j < n; j++) c[i * n + j] = (c[i * n + j] as number) + ail * (b[l * n + j] as number);
    }
  }
  return c;
}

/** A random m×m orthogonal matrix (Q of a Gaussian's QR), row-major. */
export function orthogonal(m: number, seed: number): Float64Array {
  const q = new QR(toMatrix(gaussian(m * m, seed), m, m)).orthogonalMatrix;
  return Float64Array.from(q.to1DArray());
}

/** U·diag(σ)·Vᵀ for random orthogonal U (m×m), V (n×n): an m×n matrix with singular values σ. */
export function withSingularValues(sigma: readonly number[], m: number, n: number, seed: number): Float64Array {
  const u = orthogonal(m, seed);
  const v = orthogonal(n, seed + 1);
  const us = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let k = 0; k < sigma.length; k++) us[i * n + k] = (u[i * m + k] as number) * (sigma[k] as number);
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[i * n + j] = v[j * n + i] as number;
  return multiply(us, vt, m, n, n);
}

/** A float32 m×n matrix of rank r: product of Gaussian m×r and r×n factors, rounded to float32. */
export function plantedRank(m: number, n: number, r: number, seed: number): Float32Array {
  return Float32Array.from(multiply(gaussian(m * r, seed), gaussian(r * n, seed + 7), m, r, n));
}

function toMatrix(data: ArrayLike<number>, m: number, n: number): Matrix {
  const rows: number[][] = [];
  for (let i = 0; i < m; i++) rows.push(Array.from({ length: n }, (_, j) => data[i * n + j] as number));
  return new Matrix(rows);
}

/** Float64 reference singular values (descending) of the matrix exactly as stored. */
export function referenceSigma(data: ArrayLike<number>, m: number, n: number): Float64Array {
  const svd = new SVD(toMatrix(data, m, n), {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  return Float64Array.from(svd.diagonal).sort().reverse();
}

/** max_k |σ_k − ref_k| / ref_1 (0 for a zero reference). */
export function relativeError(sigma: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (sigma.length !== ref.length) throw new Error(`lengths differ: ${sigma.length} vs ${ref.length}`);
  let err = 0;
  for (let k = 0; k < ref.length; k++) err = Math.max(err, Math.abs((sigma[k] as number) - (ref[k] as number)));
  const top = ref[0] ?? 0;
  return top === 0 ? err : err / top;
}

/** Backends every test must run on (both always installed). */
export const REQUIRED_BACKENDS: readonly BackendName[] = ['cpu', 'wasm'];

export async function useBackend(name: BackendName): Promise<TensorBackend> {
  return loadBackend(name, { wasmDir: WASM_DIR });
}
