/**
 * Blocked Householder bidiagonalization (LAPACK dgebrd/dlabrd) with the trailing matrix on the tensor
 * backend in float32 and the panel bookkeeping in float64 TypeScript.
 *
 * Per panel of `b` columns: the trailing matrix T (M×N, float32 tensor) and its transpose stay on the
 * backend; each of the b steps needs two matrix–vector products with the panel-start T (`vᵀT`, `uᵀTᵀ`;
 * never transposeA/B, which is 25–40× slower on wasm), the rest is O((M+N)·b) float64 work on the panel
 * rows/columns. After the panel one rank-2b matmul updates T:
 *   T ← T[b:, b:] − [V X]·[Yᵀ; U].
 * The result is backward stable at float32 level (like LAPACK sgebrd): σ errors ≈ a few ε₃₂·σ₁.
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { bidiagonalizeUnblocked } from './bidiagonalUnblocked';
import { makeReflector } from './householder';
import type { LinalgContext } from './types';
import { checkCancelled } from './validate';

export const DEFAULT_BLOCK_SIZE = 32;
export const DEFAULT_CROSSOVER = 96;

/** Bidiagonal form: diagonal `d` (n) and superdiagonal `e` (n−1). */
export interface Bidiagonal {
  d: Float64Array;
  e: Float64Array;
}

/**
 * @param a row-major m×n float32 (m ≥ n), scaled so max|a| ≈ 1; not modified
 * @returns the bidiagonal B with σ(B) = σ(A)
 */
export function bidiagonalizeOnBackend(a: Float32Array, m: number, n: number, ctx: LinalgContext): Bidiagonal {
  const { tf } = ctx.backend;
  const nb = Math.max(2, Math.floor(ctx.blockSize ?? DEFAULT_BLOCK_SIZE));
  const crossover = Math.max(nb, Math.floor(ctx.crossover ?? DEFAULT_CROSSOVER));
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const totalWork = workUnits(m, n);
  let T: Tensor2D = tf.tensor2d(a, [m, n], 'float32');
  let p = 0;
  try {
    while (n - p > crossover) {
      checkCancelled(ctx);
      const M = m - p;
      const N = n - p;
      let t0 = performance.now();
      const Tt = tf.transpose(T) as Tensor2D;
      t0 = lap(ctx, 'transpose', t0);
      let update: { left: Float32Array; right: Float32Array };
      try {
        update = reducePanel(T, Tt, M, N, nb, d, e, p, ctx);
      } finally {
        Tt.dispose();
      }
      t0 = performance.now();
      const next = tf.tidy(() => {
        const left = tf.tensor2d(update.left, [M - nb, 2 * nb], 'float32');
        const right = tf.tensor2d(update.right, [2 * nb, N - nb], 'float32');
        return tf.sub(tf.slice(T, [nb, nb], [M - nb, N - nb]), tf.matMul(left, right)) as Tensor2D;
      });
      if (ctx.timings) {
        next.dataSync(); // only to attribute the (asynchronous on GPU) update time to this phase
        lap(ctx, 'trailing update', t0);
      }
      T.dispose();
      T = next;
      p += nb;
      ctx.onProgress?.(1 - workUnits(m - p, n - p) / totalWork);
    }
    checkCancelled(ctx);
    const t0 = performance.now();
    const rest = Float64Array.from(T.dataSync() as Float32Array);
    bidiagonalizeUnblocked(rest, m - p, n - p, d, e, p);
    lap(ctx, 'last block (float64)', t0);
  } finally {
    T.dispose();
  }
  ctx.onProgress?.(1);
  return { d, e };
}

/** Adds the time since `t0` to phase `name` of `ctx.timings` (no-op without it); returns now. */
function lap(ctx: LinalgContext, name: string, t0: number): number {
  const now = performance.now();
  if (ctx.timings) ctx.timings[name] = (ctx.timings[name] ?? 0) + (now - t0);
  return now;
}

/** Flops of bidiagonalizing an m×n (m ≥ n) matrix, up to a constant: for progress fractions. */
function workUnits(m: number, n: number): number {
  return Math.max(1e-9, m * n * n - (n * n * n) / 3);
}

/** `vec (1×len) · mat` on the backend, read back. */
function rowTimes(ctx: LinalgContext, vec: Float32Array, mat: Tensor2D): Float32Array {
  const { tf } = ctx.backend;
  const v = tf.tensor2d(vec, [1, vec.length], 'float32');
  const out = tf.matMul(v, mat);
  try {
    return out.dataSync() as Float32Array;
  } finally {
    v.dispose();
    out.dispose();
  }
}

function download(ctx: LinalgContext, t: Tensor2D, begin: [number, number], size: [number, number]): Float32Array {
  const s = ctx.backend.tf.slice(t, begin, size);
  try {
    return s.dataSync() as Float32Array;
  } finally {
    s.dispose();
  }
}

/**
 * Reduces the first b rows and columns of the M×N trailing matrix T (dlabrd, M ≥ N > b) and returns the
 * factors of its trailing update: `left` = [V X] ((M−b)×2b), `right` = [Yᵀ; U] (2b×(N−b)), row-major.
 * Storage (float64): Pcol column-major M×b holds the panel columns, later the left reflectors v_j
 * (v_j[j] = 1); Prow row-major b×N holds the panel rows, later the right reflectors u_j (u_j[j+1] = 1);
 * X (M×b) and Y (N×b) column-major as in dlabrd.
 */
function reducePanel(
  T: Tensor2D,
  Tt: Tensor2D,
  M: number,
  N: number,
  b: number,
  d: Float64Array,
  e: Float64Array,
  p: number,
  ctx: LinalgContext,
): { left: Float32Array; right: Float32Array } {
  const tStart = performance.now();
  const cols = download(ctx, T, [0, 0], [M, b]);
  const Pcol = new Float64Array(M * b);
  for (let r = 0; r < M; r++) for (let j = 0; j < b; j++) Pcol[j * M + r] = cols[r * b + j] as number;
  const Prow = Float64Array.from(download(ctx, T, [0, 0], [b, N]));
  const X = new Float64Array(M * b);
  const Y = new Float64Array(N * b);

  for (let i = 0; i < b; i++) {
    const vOff = i * M;
    const uOff = i * N;
    // 1. Bring column i up to date: A(i:M, i) −= V·Y(i, 0:i)ᵀ + X·U(0:i, i).
    for (let j = 0; j < i; j++) {
      const yji = Y[j * N + i] as number;
      const uji = Prow[j * N + i] as number;
      const jo = j * M;
      for (let r = i; r < M; r++) Pcol[vOff + r] = (Pcol[vOff + r] as number) - (Pcol[jo + r] as number) * yji - (X[jo + r] as number) * uji;
    }
    // 2. Left reflector: annihilate A(i+1:M, i).
    const left = makeReflector(Pcol[vOff + i] as number, Pcol, vOff + i + 1, vOff + M);
    d[p + i] = left.beta;
    Pcol[vOff + i] = 1;
    // 3. Y(i+1:N, i) = τq·(Tᵀv − Y·(Vᵀv) − Uᵀ·(Xᵀv)).
    if (left.tau !== 0) {
      const v = new Float32Array(M);
      for (let r = i; r < M; r++) v[r] = Pcol[vOff + r] as number;
      const tg = performance.now();
      const tv = rowTimes(ctx, v, T);
      lap(ctx, 'panel matvec', tg);
      for (let c = i + 1; c < N; c++) Y[uOff + c] = tv[c] as number;
      for (let j = 0; j < i; j++) {
        const jo = j * M;
        let t1 = 0;
        let t2 = 0;
        for (let r = i; r < M; r++) {
          const vr = Pcol[vOff + r] as number;
          t1 += (Pcol[jo + r] as number) * vr;
          t2 += (X[jo + r] as number) * vr;
        }
        const yj = j * N;
        for (let c = i + 1; c < N; c++) Y[uOff + c] = (Y[uOff + c] as number) - (Y[yj + c] as number) * t1 - (Prow[yj + c] as number) * t2;
      }
      for (let c = i + 1; c < N; c++) Y[uOff + c] = (Y[uOff + c] as number) * left.tau;
    }
    // 4. Bring row i up to date: A(i, i+1:N) −= Y·V(i, 0:i+1)ᵀ + Uᵀ·X(i, 0:i)ᵀ.
    for (let j = 0; j <= i; j++) {
      const vji = Pcol[j * M + i] as number;
      const xji = j < i ? (X[j * M + i] as number) : 0;
      const yj = j * N;
      for (let c = i + 1; c < N; c++) Prow[uOff + c] = (Prow[uOff + c] as number) - (Y[yj + c] as number) * vji - (Prow[yj + c] as number) * xji;
    }
    // 5. Right reflector: annihilate A(i, i+2:N).
    const right = makeReflector(Prow[uOff + i + 1] as number, Prow, uOff + i + 2, uOff + N);
    e[p + i] = right.beta;
    Prow[uOff + i + 1] = 1;
    // 6. X(i+1:M, i) = τp·(T·u − V·(Yᵀu) − X·(Uu)).
    if (right.tau !== 0) {
      const u = new Float32Array(N);
      for (let c = i + 1; c < N; c++) u[c] = Prow[uOff + c] as number;
      const tg = performance.now();
      const tu = rowTimes(ctx, u, Tt);
      lap(ctx, 'panel matvec', tg);
      for (let r = i + 1; r < M; r++) X[vOff + r] = tu[r] as number;
      for (let j = 0; j <= i; j++) {
        const yj = j * N;
        let t3 = 0;
        let t4 = 0;
        for (let c = i + 1; c < N; c++) {
          const uc = Prow[uOff + c] as number;
          t3 += (Y[yj + c] as number) * uc;
          if (j < i) t4 += (Prow[yj + c] as number) * uc;
        }
        const jo = j * M;
        for (let r = i + 1; r < M; r++) X[vOff + r] = (X[vOff + r] as number) - (Pcol[jo + r] as number) * t3 - (X[jo + r] as number) * t4;
      }
      for (let r = i + 1; r < M; r++) X[vOff + r] = (X[vOff + r] as number) * right.tau;
    }
  }

  // Factors of the trailing update, rows b..M−1 and columns b..N−1.
  const M2 = M - b;
  const N2 = N - b;
  const leftF = new Float32Array(M2 * 2 * b);
  for (let j = 0; j < b; j++) {
    const jo = j * M;
    for (let r = 0; r < M2; r++) {
      leftF[r * 2 * b + j] = Pcol[jo + b + r] as number;
      leftF[r * 2 * b + b + j] = X[jo + b + r] as number;
    }
  }
  const rightF = new Float32Array(2 * b * N2);
  for (let j = 0; j < b; j++) {
    const yj = j * N;
    for (let c = 0; c < N2; c++) {
      rightF[j * N2 + c] = Y[yj + b + c] as number;
      rightF[(b + j) * N2 + c] = Prow[yj + b + c] as number;
    }
  }
  lap(ctx, 'panel (all)', tStart);
  return { left: leftF, right: rightF };
}
