/**
 * Singular values of an upper bidiagonal matrix by bisection on its Golub–Kahan form
 * TGK = tridiag(0; d₁, e₁, d₂, e₂, …, dₙ), whose eigenvalues are ±σᵢ (no squaring, so small σ keep
 * their absolute accuracy). Each Sturm count is a chain of dependent divisions, so eight shifts are
 * counted per pass over the matrix (independent chains pipeline: several times faster than one at a
 * time). Fixed tolerance and a hard cap on passes: always terminates.
 */

const LANES = 8;

/**
 * For each of the 8 shifts x_l > 0, the number of σ strictly greater than x_l, i.e. of TGK eigenvalues
 * below −x_l: the negative pivots of LDLᵀ = TGK + x_l·I (zero diagonal, so pivots start from +x_l).
 */
function countAbove8(off2: Float64Array, xs: Float64Array, pivmin: number, out: Int32Array): void {
  const x0 = xs[0] as number, x1 = xs[1] as number, x2 = xs[2] as number, x3 = xs[3] as number;
  const x4 = xs[4] as number, x5 = xs[5] as number, x6 = xs[6] as number, x7 = xs[7] as number;
  let q0 = x0, q1 = x1, q2 = x2, q3 = x3, q4 = x4, q5 = x5, q6 = x6, q7 = x7;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
  const len = off2.length;
  for (let k = 0; k < len; k++) {
    const b2 = off2[k] as number;
    q0 = x0 - b2 / q0;
    q1 = x1 - b2 / q1;
    q2 = x2 - b2 / q2;
    q3 = x3 - b2 / q3;
    q4 = x4 - b2 / q4;
    q5 = x5 - b2 / q5;
    q6 = x6 - b2 / q6;
    q7 = x7 - b2 / q7;
    // A pivot of (nearly) zero is replaced by −pivmin (LAPACK dstebz convention).
    if (Math.abs(q0) < pivmin) q0 = -pivmin;
    if (Math.abs(q1) < pivmin) q1 = -pivmin;
    if (Math.abs(q2) < pivmin) q2 = -pivmin;
    if (Math.abs(q3) < pivmin) q3 = -pivmin;
    if (Math.abs(q4) < pivmin) q4 = -pivmin;
    if (Math.abs(q5) < pivmin) q5 = -pivmin;
    if (Math.abs(q6) < pivmin) q6 = -pivmin;
    if (Math.abs(q7) < pivmin) q7 = -pivmin;
    if (q0 < 0) c0++;
    if (q1 < 0) c1++;
    if (q2 < 0) c2++;
    if (q3 < 0) c3++;
    if (q4 < 0) c4++;
    if (q5 < 0) c5++;
    if (q6 < 0) c6++;
    if (q7 < 0) c7++;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
  out[4] = c4; out[5] = c5; out[6] = c6; out[7] = c7;
}

/**
 * @param d diagonal, length n
 * @param e superdiagonal, length n−1
 * @param relTol absolute tolerance as a fraction of the Gershgorin bound on σ₁ (default 1e-12)
 * @returns σ descending, length n
 */
export function bidiagonalSingularValues(d: Float64Array, e: Float64Array, relTol = 1e-12): Float64Array {
  const n = d.length;
  const sigma = new Float64Array(n);
  if (n === 0) return sigma;
  const off2 = new Float64Array(2 * n - 1);
  let bound = 0;
  let maxOff2 = 0;
  for (let i = 0; i < n; i++) {
    const di = Math.abs(d[i] as number);
    const ei = i < n - 1 ? Math.abs(e[i] as number) : 0;
    const prevE = i > 0 ? Math.abs(e[i - 1] as number) : 0;
    off2[2 * i] = di * di;
    if (i < n - 1) off2[2 * i + 1] = ei * ei;
    bound = Math.max(bound, di + ei, di + prevE);
    maxOff2 = Math.max(maxOff2, di * di, ei * ei);
  }
  if (bound === 0) return sigma;
  bound *= 1 + 1e-12;
  const tol = bound * relTol;
  const pivmin = Math.max(Number.MIN_VALUE * 1e10, maxOff2 * 1e-290);

  // Open intervals (lo, hi] holding σ with 0-based descending indices [countHi, countLo).
  let lo = [0];
  let hi = [bound];
  let countLo = [n];
  let countHi = [0];
  const xs = new Float64Array(LANES);
  const counts = new Int32Array(LANES);
  const maxPasses = 200 * n + 1000;
  for (let pass = 0; lo.length > 0; pass++) {
    const nextLo: number[] = [], nextHi: number[] = [], nextCLo: number[] = [], nextCHi: number[] = [];
    for (let start = 0; start < lo.length; start += LANES) {
      const lanes = Math.min(LANES, lo.length - start);
      for (let l = 0; l < LANES; l++) {
        const k = start + Math.min(l, lanes - 1);
        xs[l] = 0.5 * ((lo[k] as number) + (hi[k] as number));
      }
      countAbove8(off2, xs, pivmin, counts);
      for (let l = 0; l < lanes; l++) {
        const k = start + l;
        const cLo = countLo[k] as number;
        const cHi = countHi[k] as number;
        const mid = xs[l] as number;
        const cMid = Math.min(cLo, Math.max(cHi, counts[l] as number));
        const halves: [number, number, number, number][] = [
          [lo[k] as number, mid, cLo, cMid],
          [mid, hi[k] as number, cMid, cHi],
        ];
        for (const [a, b, ca, cb] of halves) {
          if (ca === cb) continue;
          if (b - a <= tol || pass >= maxPasses) {
            for (let j = cb; j < ca; j++) sigma[j] = 0.5 * (a + b);
          } else {
            nextLo.push(a);
            nextHi.push(b);
            nextCLo.push(ca);
            nextCHi.push(cb);
          }
        }
      }
    }
    lo = nextLo;
    hi = nextHi;
    countLo = nextCLo;
    countHi = nextCHi;
  }
  return sigma;
}
