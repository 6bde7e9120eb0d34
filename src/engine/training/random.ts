/**
 * A small seeded PRNG for reproducible weights and input batches: the same seed gives the same
 * numbers on every backend and platform (tfjs's own seeded ops differ between backends).
 * Generator: mulberry32 (32-bit state); Gaussians by the Box–Muller transform.
 */

/** Mixes integers into a 32-bit seed (splitmix-style avalanche), e.g. `deriveSeed(base, seed, rank)`. */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    // Mix the high bits of values above 2³² too (seeds are usually small, but be safe).
    h = Math.imul(h ^ Math.floor(part / 4294967296), 0x27d4eb2f);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

export class SeededRandom {
  private state: number;
  /** Second Box–Muller value, kept for the next call. */
  private spare: number | undefined;

  constructor(seed: number) {
    this.state = deriveSeed(seed);
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal N(0, 1). */
  gaussian(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    // 1 − next() lies in (0, 1], so the log is finite.
    const u = 1 - this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with N(0, std²) values and returns it. */
  fillGaussian<T extends Float32Array | Float64Array>(out: T, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = std * this.gaussian();
    return out;
  }
}
