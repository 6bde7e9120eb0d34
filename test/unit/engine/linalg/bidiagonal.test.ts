import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { bidiagonalQrSingularValues } from '../../../../src/engine/linalg/bidiagonalQr';
import { bidiagonalSingularValues } from '../../../../src/engine/linalg/bidiagonalSingularValues';
import { bidiagonalizeUnblocked } from '../../../../src/engine/linalg/bidiagonalUnblocked';
import { gaussian, referenceSigma, relativeError, rng } from './fixtures';

/** The dense n×n upper bidiagonal matrix, row-major. */
function dense(d: Float64Array, e: Float64Array): Float64Array {
  const n = d.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = d[i] as number;
    if (i < n - 1) a[i * n + i + 1] = e[i] as number;
  }
  return a;
}

function cases(): { name: string; d: Float64Array; e: Float64Array }[] {
  const u = rng(11);
  const n = 60;
  const random = { name: 'random', d: Float64Array.from({ length: n }, () => u() - 0.5), e: Float64Array.from({ length: n - 1 }, () => u() - 0.5) };
  const zeros = { name: 'zero entries', d: random.d.map((v, i) => (i % 4 === 1 ? 0 : v)), e: random.e.map((v, i) => (i % 9 === 3 ? 0 : v)) };
  const lastZero = { name: 'zero last diagonal', d: random.d.map((v, i) => (i === n - 1 ? 0 : v)), e: random.e };
  const graded = { name: 'graded 1..1e-10', d: Float64Array.from({ length: n }, (_, i) => 10 ** (-i / 6)), e: Float64Array.from({ length: n - 1 }, (_, i) => 0.5 * 10 ** (-i / 6)) };
  const repeated = { name: 'identity', d: new Float64Array(n).fill(1), e: new Float64Array(n - 1) };
  return [random, zeros, lastZero, graded, repeated];
}

describe('bidiagonal singular values', () => {
  for (const c of cases()) {
    it(`QR and bisection agree with the dense reference: ${c.name}`, () => {
      const ref = referenceSigma(dense(c.d, c.e), c.d.length, c.d.length);
      const qr = bidiagonalQrSingularValues(c.d, c.e);
      assert.ok(qr, 'QR converged within its sweep cap');
      assert.ok(relativeError(qr, ref) < 1e-13, `QR error ${relativeError(qr, ref)}`);
      assert.ok(relativeError(bidiagonalSingularValues(c.d, c.e), ref) < 1e-11);
    });
  }

  it('handles sizes 0 and 1 and an all-zero bidiagonal', () => {
    assert.deepEqual(Array.from(bidiagonalQrSingularValues(new Float64Array(0), new Float64Array(0)) ?? [1]), []);
    assert.deepEqual(Array.from(bidiagonalSingularValues(new Float64Array(0), new Float64Array(0))), []);
    assert.deepEqual(Array.from(bidiagonalQrSingularValues(Float64Array.of(-3), new Float64Array(0)) ?? []), [3]);
    assert.ok(Math.abs((bidiagonalSingularValues(Float64Array.of(-3), new Float64Array(0))[0] as number) - 3) < 1e-11);
    assert.deepEqual(Array.from(bidiagonalQrSingularValues(new Float64Array(5), new Float64Array(4)) ?? []), [0, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(bidiagonalSingularValues(new Float64Array(5), new Float64Array(4))), [0, 0, 0, 0, 0]);
  });

  it('Householder bidiagonalization in float64 preserves σ (tall 70×40)', () => {
    const m = 70;
    const n = 40;
    const a = gaussian(m * n, 5);
    const ref = referenceSigma(a, m, n);
    const d = new Float64Array(n);
    const e = new Float64Array(n - 1);
    bidiagonalizeUnblocked(Float64Array.from(a), m, n, d, e);
    assert.ok(relativeError(bidiagonalQrSingularValues(d, e) ?? [], ref) < 1e-13);
  });
});
