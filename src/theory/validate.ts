/** Input checks shared by the theory functions. Each throws a one-line {@link TheoryInputError}. */
import { TheoryInputError } from './types';

/** Requires an integer ≥ `min` (default 1). `name` is how the message refers to the value. */
export function requireInteger(value: number, name: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TheoryInputError(`${name} must be an integer, got ${String(value)}`);
  }
  if (value < min) {
    throw new TheoryInputError(`${name} must be at least ${min}, got ${value}`);
  }
  return value;
}

/** Requires a finite number ≥ 0. */
export function requireNonNegative(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TheoryInputError(`${name} must be a finite non-negative number, got ${String(value)}`);
  }
  return value;
}

/** Requires a depth pair with `1 ≤ L̄ ≤ L`, both integers. */
export function requireDepths(L: number, Lbar: number): void {
  requireInteger(L, 'L (frozen depth)');
  requireInteger(Lbar, 'L̄ (target depth)');
  if (Lbar > L) {
    throw new TheoryInputError(
      `target depth L̄=${Lbar} exceeds frozen depth L=${L}: LoRA can only represent a target with at most as many layers`,
    );
  }
}

/**
 * Requires singular values as the theory uses them: finite, non-negative, sorted descending
 * (a relative slack of 1e-9·σ₁ absorbs round-off between equal values).
 *
 * @param sigma shape [n], σ₁ ≥ σ₂ ≥ … ≥ σₙ ≥ 0
 */
export function requireSingularValues(sigma: readonly number[], name = 'singular values'): void {
  if (!Array.isArray(sigma)) throw new TheoryInputError(`${name} must be an array of numbers`);
  const slack = sigma.length > 0 ? 1e-9 * Math.abs(sigma[0]) : 0;
  for (let k = 0; k < sigma.length; k++) {
    const s = sigma[k];
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) {
      throw new TheoryInputError(`${name}: σ_${k + 1} must be a finite non-negative number, got ${String(s)}`);
    }
    if (k > 0 && s > sigma[k - 1] + slack) {
      throw new TheoryInputError(
        `${name} must be sorted descending: σ_${k + 1}=${s} > σ_${k}=${sigma[k - 1]}`,
      );
    }
  }
}

/** Integer ceiling of a/b for non-negative integers a and positive integers b (exact, no float error). */
export function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b);
}
