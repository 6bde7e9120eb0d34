import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  TheoryInputError,
  countFeasibleBlocks,
  optimalPartition,
  optimalPartitionAsync,
  type OptimalPartitionOptions,
} from '../../../src/theory';
import { randomInt, seededRandom } from './helpers';

type RankTable = (i: number, first: number, last: number) => number;

/** Every ordered partition of 1..L into Lbar consecutive non-empty blocks, as block ends [e_1 … e_Lbar]. */
function allPartitionEnds(L: number, Lbar: number): number[][] {
  const out: number[][] = [];
  const rec = (prefix: number[], start: number): void => {
    const i = prefix.length + 1;
    if (i === Lbar) {
      out.push([...prefix, L]);
      return;
    }
    for (let e = start; e <= L - (Lbar - i); e++) rec([...prefix, e], e + 1);
  };
  rec([], 1);
  return out;
}

/**
 * Brute force over all partitions with the documented tie-break: minimise the max cost, then
 * compare (|e_i − u_i|, e_i) block by block, u_i the uniform ends.
 */
function bruteForce(L: number, Lbar: number, rank: RankTable): { value: number; ends: number[] } {
  const M = Math.floor(L / Lbar);
  const u = Array.from({ length: Lbar }, (_, b) => (b + 1 < Lbar ? (b + 1) * M : L));
  const value = (ends: number[]): number =>
    Math.max(...ends.map((e, b) => {
      const s = b === 0 ? 1 : ends[b - 1] + 1;
      return Math.ceil(rank(b + 1, s, e) / (e - s + 1));
    }));
  const prefer = (a: number[], b: number[]): number => {
    for (let k = 0; k < a.length; k++) {
      const d = Math.abs(a[k] - u[k]) - Math.abs(b[k] - u[k]) || a[k] - b[k];
      if (d !== 0) return d;
    }
    return 0;
  };
  let best: { value: number; ends: number[] } | undefined;
  for (const ends of allPartitionEnds(L, Lbar)) {
    const v = value(ends);
    if (!best || v < best.value || (v === best.value && prefer(ends, best.ends) < 0)) best = { value: v, ends };
  }
  return best as { value: number; ends: number[] };
}

/** Distinct (i, first, last) triples over all partitions, counted independently of the implementation. */
function distinctTriples(L: number, Lbar: number): number {
  const seen = new Set<string>();
  for (const ends of allPartitionEnds(L, Lbar)) {
    ends.forEach((e, b) => seen.add(`${b + 1},${b === 0 ? 1 : ends[b - 1] + 1},${e}`));
  }
  return seen.size;
}

/** Wraps a rank table as an oracle that records every call, to check memoisation. */
function countingOracle(rank: RankTable): { rankOf: RankTable; calls: string[] } {
  const calls: string[] = [];
  return { rankOf: (i, s, e) => (calls.push(`${i},${s},${e}`), rank(i, s, e)), calls };
}

/** A random rank table in [0, D]; `style` shapes the distribution. */
function randomTable(seed: number, D: number, style: 'uniform' | 'mostly-full' | 'low'): RankTable {
  const rand = seededRandom(seed);
  const cache = new Map<string, number>();
  return (i, s, e) => {
    const key = `${i},${s},${e}`;
    let r = cache.get(key);
    if (r === undefined) {
      if (style === 'uniform') r = randomInt(rand, 0, D);
      else if (style === 'mostly-full') r = rand() < 0.8 ? D : randomInt(rand, 0, D);
      else r = randomInt(rand, 0, Math.max(1, Math.floor(D / 4)));
      cache.set(key, r);
    }
    return r;
  };
}

const endsOf = (partition: number[][]): number[] => partition.map((b) => b[b.length - 1]);

describe('countFeasibleBlocks', () => {
  it('matches an independent count over all partitions', () => {
    for (let L = 1; L <= 9; L++) {
      for (let Lbar = 1; Lbar <= L; Lbar++) assert.equal(countFeasibleBlocks(L, Lbar), distinctTriples(L, Lbar), `L=${L}, L̄=${Lbar}`);
    }
  });
});

describe('optimalPartition: equals brute force over all partitions', () => {
  const styles = ['uniform', 'mostly-full', 'low'] as const;
  let cases = 0;
  let calls = 0;
  let triples = 0;
  for (let L = 1; L <= 9; L++) {
    for (let Lbar = 1; Lbar <= L; Lbar++) {
      it(`L=${L}, L̄=${Lbar}: value, tie-break and call budget on seeded random tables`, () => {
        for (let seed = 1; seed <= 8; seed++) {
          const D = [1, 3, 8, 16][seed % 4];
          const table = randomTable(seed * 1000 + L * 10 + Lbar, D, styles[seed % 3]);
          const expected = bruteForce(L, Lbar, table);
          for (const options of [{ maxRank: D }, {}] as OptimalPartitionOptions[]) {
            const oracle = countingOracle(table);
            const got = optimalPartition(L, Lbar, oracle.rankOf, options);
            const label = `seed=${seed} D=${D} maxRank=${options.maxRank ?? 'none'}`;
            assert.equal(got.requiredRank, expected.value, `value, ${label}`);
            assert.deepEqual(endsOf(got.partition), expected.ends, `partition, ${label}`);
            assert.equal(new Set(oracle.calls).size, oracle.calls.length, `no triple asked twice, ${label}`);
            assert.equal(got.oracleCalls, oracle.calls.length);
            assert.ok(got.oracleCalls <= distinctTriples(L, Lbar), `call budget, ${label}`);
            got.blocks.forEach((b, k) => {
              if (b.discrepancyRank !== undefined) assert.equal(b.discrepancyRank, table(k + 1, b.layers[0], b.layers[b.layers.length - 1]));
              assert.ok(b.requiredRankUpperBound <= got.requiredRank, 'every chosen block fits the answer');
            });
            cases++;
            calls += got.oracleCalls;
            triples += got.feasibleTriples;
          }
        }
      });
    }
  }
  it('asks fewer ranks than an exhaustive DP over the whole suite', () => {
    assert.ok(cases > 0);
    assert.ok(calls < triples, `${calls} calls vs ${triples} triples`);
  });
});

describe('optimalPartition: worked examples and pruning', () => {
  it('W3: D=16, L=5, L̄=2, random model (every rank 16) → best general partition is also 8', () => {
    const r = optimalPartition(5, 2, () => 16, { maxRank: 16 });
    assert.equal(r.requiredRank, 8);
    assert.deepEqual(r.partition, [[1, 2], [3, 4, 5]]);
    assert.equal(r.uniformIsOptimal, true);
    // Uniform: [1,2] is asked (8); [3,4,5] cannot exceed ⌈16/3⌉ = 6, so it is not. Proving that no
    // partition reaches 7 needs exactly three more: [1] (block 1 ending at 1), [4,5] and [5]
    // (blocks 1 = [1..3] and [1..4] are free: ⌈16/3⌉, ⌈16/4⌉ ≤ 7). 4 of the 8 feasible triples.
    assert.equal(r.oracleCalls, 4);
    assert.equal(r.feasibleTriples, 8);
    assert.deepEqual(r.blockRanks, [16, undefined]);
    assert.equal(r.blocks[1].requiredRankUpperBound, 6);
  });

  it('completeBlockRanks asks the remaining chosen blocks', () => {
    const r = optimalPartition(5, 2, () => 16, { maxRank: 16, completeBlockRanks: true });
    assert.deepEqual(r.blockRanks, [16, 16]);
    assert.deepEqual(r.blocks.map((b) => b.requiredRank), [8, 6]);
  });

  it('a target layer close to its frozen counterpart needs fewer frozen layers: [[1],[2,3,4]] beats uniform', () => {
    const rank: RankTable = (i, s, e) => (i === 1 && s === 1 && e === 1 ? 2 : 16);
    const r = optimalPartition(4, 2, rank, { maxRank: 16 });
    assert.equal(r.uniformRequiredRank, 8);
    assert.equal(r.requiredRank, 6);
    assert.deepEqual(r.partition, [[1], [2, 3, 4]]);
    assert.equal(r.uniformIsOptimal, false);
  });

  it('prefers the uniform partition whenever it is optimal, even when others tie', () => {
    const r = optimalPartition(6, 3, () => 0, { maxRank: 8 });
    assert.equal(r.requiredRank, 0);
    assert.deepEqual(r.partition, [[1, 2], [3, 4], [5, 6]]);
    assert.equal(r.oracleCalls, 3, 'only the uniform blocks');
  });

  it('tie-break among non-uniform optima: closest to the uniform ends, the smaller end on equal distance', () => {
    // L=6, L̄=2 (uniform end 3). Block 1 = [1,3] is bad; ends 2 and 4 are both optimal → end 2.
    const rank: RankTable = (i, _s, e) => (i === 1 && e === 3 ? 16 : i === 1 ? e : 2);
    const r = optimalPartition(6, 2, rank, { maxRank: 16 });
    assert.equal(r.requiredRank, 1);
    assert.deepEqual(r.partition, [[1, 2], [3, 4, 5, 6]]);
  });

  it('random model (all ranks D) with maxRank: far fewer calls than triples', () => {
    for (const [L, Lbar, D] of [[12, 3, 16], [24, 4, 64], [32, 8, 4096], [80, 40, 4096]] as const) {
      const r = optimalPartition(L, Lbar, () => D, { maxRank: D });
      assert.equal(r.requiredRank, Math.ceil(D / Math.floor(L / Lbar)));
      assert.equal(r.uniformIsOptimal, true);
      assert.ok(r.oracleCalls < r.feasibleTriples, `L=${L} L̄=${Lbar}: ${r.oracleCalls} calls vs ${r.feasibleTriples}`);
    }
  });

  it('L̄ = 1 asks one rank; L̄ = L asks at most L', () => {
    assert.equal(optimalPartition(7, 1, () => 5).oracleCalls, 1);
    const same = optimalPartition(3, 3, (i) => [0, 2, 0][i - 1], { maxRank: 16 });
    assert.equal(same.requiredRank, 2); // W11
    assert.ok(same.oracleCalls <= 3);
    assert.deepEqual(same.partition, [[1], [2], [3]]);
  });

  it('maxRank 0 needs no call at all', () => {
    const r = optimalPartition(5, 2, () => 0, { maxRank: 0 });
    assert.equal(r.requiredRank, 0);
    assert.equal(r.oracleCalls, 0);
  });

  it('rejects invalid oracle answers and invalid depths', () => {
    assert.throws(() => optimalPartition(4, 2, () => -1), /rankOf\(.*\) returned -1/);
    assert.throws(() => optimalPartition(4, 2, () => 2.5), TheoryInputError);
    assert.throws(() => optimalPartition(4, 2, () => 17, { maxRank: 16 }), /above maxRank 16/);
    assert.throws(() => optimalPartition(2, 3, () => 0), /exceeds frozen depth/);
  });
});

describe('optimalPartitionAsync', () => {
  it('gives the same answers and the same calls as the sync driver', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = seededRandom(seed);
      const L = randomInt(rand, 1, 8);
      const Lbar = randomInt(rand, 1, L);
      const table = randomTable(seed, 8, 'mostly-full');
      const sync = countingOracle(table);
      const expected = optimalPartition(L, Lbar, sync.rankOf, { maxRank: 8 });
      const asyncCalls: string[] = [];
      const got = await optimalPartitionAsync(
        L,
        Lbar,
        async (i, s, e) => {
          asyncCalls.push(`${i},${s},${e}`);
          await Promise.resolve();
          return table(i, s, e);
        },
        { maxRank: 8 },
      );
      assert.deepEqual(got, expected);
      assert.deepEqual(asyncCalls, sync.calls);
    }
  });

  it('a rejected oracle aborts the search with that error', async () => {
    await assert.rejects(
      optimalPartitionAsync(6, 2, async () => {
        throw new Error('cancelled');
      }),
      /cancelled/,
    );
  });
});
