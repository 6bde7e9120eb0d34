/** Householder bidiagonalization entirely in float64 TypeScript, for small matrices and the last block. */
import { makeReflector } from './householder';

/**
 * Reduces the row-major `m × n` matrix `a` (m ≥ n, overwritten) to upper bidiagonal form Qᵀ·A·P = B and
 * writes B's diagonal into `d[offset..offset+n)` and superdiagonal into `e[offset..offset+n-1)`.
 * Cost 4mn² − 4n³/3 flops (LAPACK dgebd2 without forming Q, P).
 */
export function bidiagonalizeUnblocked(a: Float64Array, m: number, n: number, d: Float64Array, e: Float64Array, offset = 0): void {
  const w = new Float64Array(Math.max(m, n));
  for (let i = 0; i < n; i++) {
    // Left reflector on column i, rows i..m-1 (stride n in row-major storage).
    const { beta: di, tau: tq } = makeReflector(a[i * n + i] as number, a, (i + 1) * n + i, m * n, n);
    d[offset + i] = di;
    a[i * n + i] = 1;
    if (tq !== 0 && i + 1 < n) {
      // A(i:m, i+1:n) -= τ v (vᵀ A): w = vᵀA row by row (contiguous), then a rank-1 update.
      w.fill(0, i + 1, n);
      for (let r = i; r < m; r++) {
        const vr = a[r * n + i] as number;
        if (vr === 0) continue;
        const o = r * n;
        for (let c = i + 1; c < n; c++) w[c] = (w[c] as number) + vr * (a[o + c] as number);
      }
      for (let r = i; r < m; r++) {
        const f = tq * (a[r * n + i] as number);
        if (f === 0) continue;
        const o = r * n;
        for (let c = i + 1; c < n; c++) a[o + c] = (a[o + c] as number) - f * (w[c] as number);
      }
    }
    if (i + 1 >= n) break;
    // Right reflector on row i, columns i+1..n-1 (contiguous).
    const { beta: ei, tau: tp } = makeReflector(a[i * n + i + 1] as number, a, i * n + i + 2, (i + 1) * n);
    e[offset + i] = ei;
    a[i * n + i + 1] = 1;
    if (tp !== 0) {
      // A(i+1:m, i+1:n) -= τ (A u) uᵀ.
      const u0 = i * n;
      for (let r = i + 1; r < m; r++) {
        const o = r * n;
        let s = 0;
        for (let c = i + 1; c < n; c++) s += (a[o + c] as number) * (a[u0 + c] as number);
        const f = tp * s;
        if (f === 0) continue;
        for (let c = i + 1; c < n; c++) a[o + c] = (a[o + c] as number) - f * (a[u0 + c] as number);
      }
    }
  }
}
