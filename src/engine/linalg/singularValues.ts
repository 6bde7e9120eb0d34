/**
 * Singular values of a dense float32/float64 matrix.
 *
 * Algorithm (what LAPACK's gesdd does for compute_uv=False, split across precisions):
 *  1. Scale by a power of two (exact) so max|a| ∈ (0.5, 1]; transpose wide matrices (σ(A) = σ(Aᵀ)).
 *  2. Householder bidiagonalization: blocked on the tensor backend in float32 (matrix–vector products and
 *     rank-2b trailing updates), panel arithmetic in float64 — see bidiagonalBlocked.ts. Matrices whose
 *     smaller side is ≤ crossover are reduced entirely in float64 TypeScript.
 *  3. Singular values of the bidiagonal in float64: implicit shifted QR (O(n²)), with bisection on the
 *     Golub–Kahan form as a guaranteed fallback if QR hits its sweep cap.
 * Orthogonal reductions never square the matrix, so unlike the Gram route (eigenvalues of AᵀA in
 * float32, blind below ≈3e-4·σ₁) all σ keep an absolute accuracy of a few ε₃₂·σ₁.
 */
import { bidiagonalizeOnBackend, DEFAULT_CROSSOVER } from './bidiagonalBlocked';
import { bidiagonalQrSingularValues } from './bidiagonalQr';
import { bidiagonalSingularValues } from './bidiagonalSingularValues';
import { bidiagonalizeUnblocked } from './bidiagonalUnblocked';
import type { LinalgContext } from './types';
import { checkActiveBackend, checkShape, maxAbsFinite } from './validate';

/** rows·cols² below which the whole reduction runs in float64 TypeScript (measured crossover ≈ 200³). */
const DEFAULT_FLOAT64_WORK_LIMIT = 160 ** 3;

/**
 * @param a row-major m×n matrix (not modified)
 * @returns σ₁ ≥ σ₂ ≥ … ≥ σ_p ≥ 0, p = min(m, n)
 * @throws NonFiniteMatrixError for NaN/±Infinity, MatrixShapeError for a bad shape,
 *   LinalgCancelledError when `ctx.signal` aborts
 */
export function singularValues(a: Float32Array | Float64Array, m: number, n: number, ctx: LinalgContext): Float64Array {
  checkShape(a, m, n);
  const p = Math.min(m, n);
  if (p === 0) return new Float64Array(0);
  const maxAbs = maxAbsFinite(a, n);
  if (maxAbs === 0) return new Float64Array(p);

  // Exact power-of-two scaling, split in two factors so extreme exponents cannot overflow 2^k itself.
  const exp = Math.ceil(Math.log2(maxAbs));
  const s1 = 2 ** Math.trunc(-exp / 2);
  const s2 = 2 ** (-exp - Math.trunc(-exp / 2));

  const tall = m >= n;
  const rows = tall ? m : n;
  const cols = tall ? n : m;
  const crossover = ctx.crossover ?? DEFAULT_CROSSOVER;
  const small = cols <= crossover || rows * cols * cols <= (ctx.float64WorkLimit ?? DEFAULT_FLOAT64_WORK_LIMIT);
  // Small problems stay in float64 end to end (more accurate, and faster than many tiny backend calls);
  // large ones go to the float32 backend.
  const scaled = small ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  if (tall) {
    for (let k = 0; k < a.length; k++) scaled[k] = (a[k] as number) * s1 * s2;
  } else {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) scaled[j * m + i] = (a[i * n + j] as number) * s1 * s2;
  }

  let d: Float64Array;
  let e: Float64Array;
  if (small) {
    d = new Float64Array(cols);
    e = new Float64Array(Math.max(0, cols - 1));
    bidiagonalizeUnblocked(scaled as Float64Array, rows, cols, d, e);
  } else {
    checkActiveBackend(ctx);
    ({ d, e } = bidiagonalizeOnBackend(scaled as Float32Array, rows, cols, ctx));
  }
  const t0 = performance.now();
  const sigma = bidiagonalQrSingularValues(d, e) ?? bidiagonalSingularValues(d, e);
  if (ctx.timings) ctx.timings['bidiagonal σ'] = (ctx.timings['bidiagonal σ'] ?? 0) + performance.now() - t0;
  for (let k = 0; k < sigma.length; k++) sigma[k] = (sigma[k] as number) / s1 / s2;
  return sigma;
}
