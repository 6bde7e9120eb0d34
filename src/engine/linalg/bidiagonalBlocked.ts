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
      const startNorm2 = frobenius2(ctx, T);
      let next: Tensor2D | undefined;
      let b = nb;
      try {
        for (const accurate of [false, true]) {
          const update = reducePanel(T, Tt, M, N, nb, d, e, p, ctx, accurate);
          b = update.width;
          t0 = performance.now();
          next = tf.tidy(() => {
            const left = tf.tensor2d(update.left, [M - b, 2 * b], 'float32');
            const right = tf.tensor2d(update.right, [2 * b, N - b], 'float32');
            return tf.sub(tf.slice(T, [b, b], [M - b, N - b]), tf.matMul(left, right)) as Tensor2D;
          });
          lap(ctx, 'trailing update', t0);
          if (accurate || frobenius2(ctx, next) >= REDO_BELOW_NORM_FRACTION ** 2 * startNorm2) break;
          // Most of T's norm vanished in this panel: redo it with float64 products (see above).
          next.dispose();
          next = undefined;
          if (ctx.timings) ctx.timings['panels redone in float64'] = (ctx.timings['panels redone in float64'] ?? 0) + 1;
        }
      } catch (err) {
        next?.dispose();
        throw err;
      } finally {
        Tt.dispose();
      }
      T.dispose();
      T = next as Tensor2D;
      p += b;
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

/** ‖t‖_F² (float32 reduction on the backend; only compared against a threshold). */
function frobenius2(ctx: LinalgContext, t: Tensor2D): number {
  const { tf } = ctx.backend;
  const s = tf.tidy(() => tf.sum(tf.square(t)));
  try {
    return (s.dataSync() as Float32Array)[0] as number;
  } finally {
    s.dispose();
  }
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

/** Factors of a panel's trailing update and how many columns it reduced (≤ the block size). */
interface PanelResult {
  width: number;
  left: Float32Array;
  right: Float32Array;
}

/**
 * A panel whose trailing update leaves less than this fraction of the panel-start Frobenius norm is
 * redone with float64-accumulated matrix–vector products. Rationale: XNNPACK sums each output of a
 * matrix–vector product sequentially in float32, an error of ≈ √len·ε₃₂·‖T‖ that lands in the updated
 * trailing matrix. Harmless while that matrix is of the size of T, but when a panel exhausts the large
 * singular values (a low-rank delta, a sharp spectral drop) the update is the small difference of large
 * terms and the error would become the tail σ (measured 5e-7·σ₁ at n = 512 for rank 7, growing like √n).
 */
const REDO_BELOW_NORM_FRACTION = 0.1;

/** y[c] = Σ_{r ≥ r0} v[r]·T[r, c] for c ≥ c0, float64 accumulation over row-major float32 T (M×N). */
function accurateRowTimes(t: Float32Array, N: number, M: number, v: Float64Array, vOff: number, r0: number, c0: number, y: Float64Array, yOff: number): void {
  for (let c = c0; c < N; c++) y[yOff + c] = 0;
  let r = r0;
  for (; r + 3 < M; r += 4) {
    const a0 = v[vOff + r] as number, a1 = v[vOff + r + 1] as number, a2 = v[vOff + r + 2] as number, a3 = v[vOff + r + 3] as number;
    const o0 = r * N, o1 = o0 + N, o2 = o1 + N, o3 = o2 + N;
    for (let c = c0; c < N; c++) {
      y[yOff + c] = (y[yOff + c] as number) + a0 * (t[o0 + c] as number) + a1 * (t[o1 + c] as number) + a2 * (t[o2 + c] as number) + a3 * (t[o3 + c] as number);
    }
  }
  for (; r < M; r++) {
    const a = v[vOff + r] as number;
    const o = r * N;
    for (let c = c0; c < N; c++) y[yOff + c] = (y[yOff + c] as number) + a * (t[o + c] as number);
  }
}

/** x[r] = Σ_{c ≥ c0} T[r, c]·u[c] for r ≥ r0, float64 accumulation. */
function accurateTimesColumn(t: Float32Array, N: number, M: number, u: Float64Array, uOff: number, r0: number, c0: number, x: Float64Array, xOff: number): void {
  for (let r = r0; r < M; r++) {
    const o = r * N;
    let s0 = 0;
    let s1 = 0;
    let c = c0;
    for (; c + 1 < N; c += 2) {
      s0 += (t[o + c] as number) * (u[uOff + c] as number);
      s1 += (t[o + c + 1] as number) * (u[uOff + c + 1] as number);
    }
    if (c < N) s0 += (t[o + c] as number) * (u[uOff + c] as number);
    x[xOff + r] = s0 + s1;
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
  accurate: boolean,
): PanelResult {
  const tStart = performance.now();
  /** T as float32 in JS memory, fetched only if a product must be redone in float64. */
  let tLocal: Float32Array | undefined;
  const local = (): Float32Array => (tLocal ??= T.dataSync() as Float32Array);
  const width = b;
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
      const tg = performance.now();
      if (accurate) {
        accurateRowTimes(local(), N, M, Pcol, vOff, i, i + 1, Y, uOff);
        lap(ctx, 'panel matvec (float64)', tg);
      } else {
        const v = new Float32Array(M);
        for (let r = i; r < M; r++) v[r] = Pcol[vOff + r] as number;
        const tv = rowTimes(ctx, v, T);
        for (let c = i + 1; c < N; c++) Y[uOff + c] = tv[c] as number;
        lap(ctx, 'panel matvec', tg);
      }
      const t1 = new Float64Array(i);
      const t2 = new Float64Array(i);
      for (let j = 0; j < i; j++) {
        const jo = j * M;
        let s1 = 0;
        let s2 = 0;
        for (let r = i; r < M; r++) {
          const vr = Pcol[vOff + r] as number;
          s1 += (Pcol[jo + r] as number) * vr;
          s2 += (X[jo + r] as number) * vr;
        }
        t1[j] = s1;
        t2[j] = s2;
      }
      for (let j = 0; j < i; j++) {
        const yj = j * N;
        const a1 = t1[j] as number;
        const a2 = t2[j] as number;
        for (let c = i + 1; c < N; c++) Y[uOff + c] = (Y[uOff + c] as number) - (Y[yj + c] as number) * a1 - (Prow[yj + c] as number) * a2;
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
      const tg = performance.now();
      if (accurate) {
        accurateTimesColumn(local(), N, M, Prow, uOff, i + 1, i + 1, X, vOff);
        lap(ctx, 'panel matvec (float64)', tg);
      } else {
        const u = new Float32Array(N);
        for (let c = i + 1; c < N; c++) u[c] = Prow[uOff + c] as number;
        const tu = rowTimes(ctx, u, Tt);
        for (let r = i + 1; r < M; r++) X[vOff + r] = tu[r] as number;
        lap(ctx, 'panel matvec', tg);
      }
      const t3 = new Float64Array(i + 1);
      const t4 = new Float64Array(i + 1);
      for (let j = 0; j <= i; j++) {
        const yj = j * N;
        let s3 = 0;
        let s4 = 0;
        for (let c = i + 1; c < N; c++) {
          const uc = Prow[uOff + c] as number;
          s3 += (Y[yj + c] as number) * uc;
          if (j < i) s4 += (Prow[yj + c] as number) * uc;
        }
        t3[j] = s3;
        t4[j] = s4;
      }
      for (let j = 0; j <= i; j++) {
        const jo = j * M;
        const a3 = t3[j] as number;
        const a4 = t4[j] as number;
        for (let r = i + 1; r < M; r++) X[vOff + r] = (X[vOff + r] as number) - (Pcol[jo + r] as number) * a3 - (X[jo + r] as number) * a4;
      }
      for (let r = i + 1; r < M; r++) X[vOff + r] = (X[vOff + r] as number) * right.tau;
    }
  }

  // Factors of the trailing update, rows b..M−1 and columns b..N−1.
  const w = width;
  const M2 = M - w;
  const N2 = N - w;
  const leftF = new Float32Array(M2 * 2 * w);
  for (let j = 0; j < w; j++) {
    const jo = j * M;
    for (let r = 0; r < M2; r++) {
      leftF[r * 2 * w + j] = Pcol[jo + w + r] as number;
      leftF[r * 2 * w + w + j] = X[jo + w + r] as number;
    }
  }
  const rightF = new Float32Array(2 * w * N2);
  for (let j = 0; j < w; j++) {
    const yj = j * N;
    for (let c = 0; c < N2; c++) {
      rightF[j * N2 + c] = Y[yj + w + c] as number;
      rightF[(w + j) * N2 + c] = Prow[yj + w + c] as number;
    }
  }
  lap(ctx, 'panel (all)', tStart);
  return { width: w, left: leftF, right: rightF };
}
