/**
 * The optimal general partition (theory §2): choose the ordered partition of frozen layers `1..L`
 * into `L̄` consecutive non-empty blocks that minimises `max_i ⌈rank(E_i) / |P_i|⌉`.
 *
 * `rankOf(i, first, last)` = rank of `W̄_i − W_last ⋯ W_first` is EXPENSIVE (an SVD in the engine), so
 * the search is written once as a generator that yields oracle requests; {@link optimalPartition}
 * (sync) and {@link optimalPartitionAsync} drive it. How calls are saved:
 *
 * 1. Memo: each triple `(i, first, last)` is requested at most once.
 * 2. Upper bounds: with `maxRank` (= D), a block of m layers costs at most `⌈D/m⌉` without asking.
 * 3. Incumbent: the uniform partition is evaluated first, shortest blocks first; a block whose upper
 *    bound cannot raise the running maximum is not asked. Its value U is the first "best so far".
 * 4. Descending decisions: "is there a partition with every block cost ≤ t?" for t = best − 1, then
 *    for t = (value of the partition just found) − 1, until the answer is no. A decision is a
 *    depth-first search over nodes `(i, e)` = "target layers 1..i use frozen layers 1..e"; a block
 *    is asked only when its cost is neither known nor bounded by t (`⌈D/m⌉ ≤ t` makes it free) and
 *    its end is not already a dead end at this level. High levels first means few blocks need
 *    asking; for random models (all ranks D) the single decision at U − 1 proves the uniform
 *    partition optimal. (A bottom-up bottleneck Dijkstra was tried first: it needs exact labels,
 *    so it asks blocks a decision treats as free, and made 1.3× to 10× more calls on random tables.)
 * 5. The decisions search in preference order, so the last partition found is the preferred one at
 *    its level, hence among all optimal partitions: no separate tie-break pass.
 *
 * Tie-break rule (deterministic, independent of the search order): among optimal partitions, take
 * the one whose block ends `e_1, e_2, …, e_{L̄−1}` deviate least from the uniform ends, compared
 * block by block from the first: minimise `|e_1 − u_1|`, then prefer the smaller `e_1`, then
 * `|e_2 − u_2|`, and so on. The uniform partition (all deviations 0) therefore wins whenever it is
 * optimal.
 */
import { NON_SINGULARITY_ASSUMED, TUNABLE_BIASES_ASSUMED } from './caveats';
import { range, uniformPartition } from './partition';
import { type Partition, type RuleInfo, TheoryInputError } from './types';
import { ceilDiv, requireDepths, requireInteger } from './validate';

/** One oracle request: rank of `W̄_targetLayer − W_lastFrozen ⋯ W_firstFrozen` (all 1-based). */
export interface RankRequest {
  targetLayer: number;
  firstFrozen: number;
  lastFrozen: number;
}

/** `rankOf(targetLayer, firstFrozen, lastFrozen)`: rank of the discrepancy of that block. */
export type BlockRankOracle = (targetLayer: number, firstFrozen: number, lastFrozen: number) => number;
export type AsyncBlockRankOracle = (targetLayer: number, firstFrozen: number, lastFrozen: number) => Promise<number>;

export interface OptimalPartitionOptions {
  /** Largest possible rank (the width D). Enables free upper bounds `⌈D/m⌉`; answers above it are rejected. */
  maxRank?: number;
  /**
   * Also ask the ranks of the chosen blocks that the search proved irrelevant, so that every entry of
   * `blockRanks` is a number. Default false (those entries are `undefined`).
   */
  completeBlockRanks?: boolean;
}

export interface OptimalBlock {
  targetLayer: number;
  /** Frozen layers, 1-based. */
  layers: number[];
  /** `rank(E_i)` if it was asked, else `undefined`. */
  discrepancyRank: number | undefined;
  /** `⌈rank(E_i)/|P_i|⌉` when the rank is known, else `undefined`. */
  requiredRank: number | undefined;
  /** What is known without the rank: the exact value, or `⌈maxRank/|P_i|⌉` (∞ without maxRank). */
  requiredRankUpperBound: number;
}

export interface OptimalPartitionResult extends RuleInfo {
  /** Shape [L̄][|P_i|], 1-based frozen layers. */
  partition: Partition;
  /** `min over partitions of max_i ⌈rank(E_i)/|P_i|⌉` (exact). */
  requiredRank: number;
  /** Shape [L̄]: `rank(E_i)` of the chosen blocks; `undefined` = not asked (cannot change the answer). */
  blockRanks: (number | undefined)[];
  blocks: OptimalBlock[];
  /** Distinct oracle calls made. */
  oracleCalls: number;
  /** Number of distinct feasible `(i, first, last)` triples (what an exhaustive DP would ask). */
  feasibleTriples: number;
  /** Value of the uniform partition and whether it is the answer. */
  uniformRequiredRank: number;
  uniformIsOptimal: boolean;
}

/** Number of distinct blocks `(i, first, last)` that appear in at least one feasible partition. */
export function countFeasibleBlocks(L: number, Lbar: number): number {
  requireDepths(L, Lbar);
  let count = 0;
  for (let i = 1; i <= Lbar; i++) {
    // Block 1 starts at layer 1; block i > 1 starts after at least i−1 earlier layers.
    const sMin = i === 1 ? 1 : i;
    const sMax = i === 1 ? 1 : L - (Lbar - i);
    for (let s = sMin; s <= sMax; s++) {
      const eMin = i === Lbar ? L : s;
      const eMax = L - (Lbar - i);
      count += eMax - eMin + 1;
    }
  }
  return count;
}

/** Search state shared by the three phases; one instance per search. */
class SearchState {
  readonly memo = new Map<number, number>();
  readonly width: number;

  constructor(
    readonly L: number,
    readonly Lbar: number,
    readonly maxRank: number | undefined,
  ) {
    this.width = L + 1;
  }

  key(i: number, s: number, e: number): number {
    return (i * this.width + s) * this.width + e;
  }

  nodeId(i: number, e: number): number {
    return i * this.width + e;
  }

  /** Known cost of block i = [s, e], or undefined if its rank was not asked. */
  knownCost(i: number, s: number, e: number): number | undefined {
    const r = this.memo.get(this.key(i, s, e));
    return r === undefined ? undefined : ceilDiv(r, e - s + 1);
  }

  upperBound(s: number, e: number): number {
    return this.maxRank === undefined ? Infinity : ceilDiv(this.maxRank, e - s + 1);
  }

  /** Largest end of block i: later blocks need one layer each. */
  lastEnd(i: number): number {
    return this.L - (this.Lbar - i);
  }

  /** Asks the oracle (once per triple) and returns the block's cost. */
  *cost(i: number, s: number, e: number): Generator<RankRequest, number, number> {
    const k = this.key(i, s, e);
    let r = this.memo.get(k);
    if (r === undefined) {
      r = yield { targetLayer: i, firstFrozen: s, lastFrozen: e };
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 0) {
        throw new TheoryInputError(`rankOf(${i}, ${s}, ${e}) returned ${String(r)}: ranks must be non-negative integers`);
      }
      if (this.maxRank !== undefined && r > this.maxRank) {
        throw new TheoryInputError(`rankOf(${i}, ${s}, ${e}) returned ${r}, above maxRank ${this.maxRank}`);
      }
      this.memo.set(k, r);
    }
    return ceilDiv(r, e - s + 1);
  }
}

/** Phase 1: value of the uniform partition, asking as few of its blocks as possible. */
function* uniformValue(st: SearchState, uniform: Partition): Generator<RankRequest, number, number> {
  // Shortest blocks first (largest upper bound); ties by target layer.
  const order = uniform.map((_, b) => b).sort((a, b) => uniform[a].length - uniform[b].length || a - b);
  let value = 0;
  for (const b of order) {
    const block = uniform[b];
    const s = block[0];
    const e = block[block.length - 1];
    if (st.upperBound(s, e) <= value) continue; // cannot raise the maximum
    value = Math.max(value, yield* st.cost(b + 1, s, e));
  }
  return value;
}

/** A partition found at some level: its block ends and an upper bound on its value. */
interface LevelPath {
  ends: number[];
  /** `max_i` of the known cost, or of the upper bound for blocks never asked. */
  valueUpperBound: number;
}

/**
 * Decision at `level`: the preferred partition (tie-break rule) whose every block costs `≤ level`, or
 * `undefined` if none. Depth-first in preference order with a memo of dead ends; a block is asked
 * only when its cost is neither known nor bounded by `level` and its end is not a known dead end.
 */
function* preferredAtLevel(st: SearchState, level: number, uniformEnds: number[]): Generator<RankRequest, LevelPath | undefined, number> {
  const { L, Lbar } = st;
  const dead = new Uint8Array((Lbar + 1) * st.width);
  const chosen: number[] = [];
  let valueUpperBound = 0;
  function* extend(i: number, s: number): Generator<RankRequest, boolean, number> {
    const eMin = i === Lbar ? L : s;
    const ends = range(eMin, st.lastEnd(i));
    const u = uniformEnds[i - 1];
    ends.sort((a, b) => Math.abs(a - u) - Math.abs(b - u) || a - b);
    for (const e of ends) {
      if (i < Lbar && dead[st.nodeId(i, e)]) continue;
      const known = st.knownCost(i, s, e);
      const bound = st.upperBound(s, e);
      const cost = known ?? (bound <= level ? bound : yield* st.cost(i, s, e));
      if (cost > level) continue;
      if (i === Lbar || (yield* extend(i + 1, e + 1))) {
        chosen.push(e);
        valueUpperBound = Math.max(valueUpperBound, cost);
        return true;
      }
    }
    dead[st.nodeId(i - 1, s - 1)] = 1;
    return false;
  }
  if (!(yield* extend(1, 1))) return undefined;
  return { ends: chosen.reverse(), valueUpperBound };
}

/**
 * The whole search as a generator: yields {@link RankRequest}s, receives ranks, returns the result.
 * Drive it with {@link optimalPartition} / {@link optimalPartitionAsync}, or step it yourself.
 */
export function* optimalPartitionSearch(
  L: number,
  Lbar: number,
  options: OptimalPartitionOptions = {},
): Generator<RankRequest, OptimalPartitionResult, number> {
  requireDepths(L, Lbar);
  const { maxRank, completeBlockRanks = false } = options;
  if (maxRank !== undefined) requireInteger(maxRank, 'maxRank', 0);
  const st = new SearchState(L, Lbar, maxRank);
  const uniform = uniformPartition(L, Lbar);
  const uniformEnds = uniform.map((block) => block[block.length - 1]);

  const U = yield* uniformValue(st, uniform);
  // Descend: look for something strictly better than the best so far until nothing is. The last
  // success is preferred at its own level, hence among all optimal partitions.
  let best: LevelPath = { ends: uniformEnds, valueUpperBound: U };
  while (best.valueUpperBound > 0) {
    const next = yield* preferredAtLevel(st, best.valueUpperBound - 1, uniformEnds);
    if (!next) break;
    best = next;
  }
  const ends = best.ends;
  const uniformIsOptimal = best.valueUpperBound === U;
  const partition = ends.map((e, b) => range(b === 0 ? 1 : ends[b - 1] + 1, e));
  if (completeBlockRanks) {
    for (let b = 0; b < partition.length; b++) {
      yield* st.cost(b + 1, partition[b][0], ends[b]);
    }
  }
  const blocks = partition.map((layers, b): OptimalBlock => {
    const s = layers[0];
    const e = ends[b];
    const rank = st.memo.get(st.key(b + 1, s, e));
    const cost = rank === undefined ? undefined : ceilDiv(rank, layers.length);
    return {
      targetLayer: b + 1,
      layers,
      discrepancyRank: rank,
      requiredRank: cost,
      requiredRankUpperBound: cost ?? st.upperBound(s, e),
    };
  });
  return {
    rule: 'fnn-optimal-partition',
    ruleText:
      'Zeng & Lee (ICLR 2024), exact representation with a general partition: rank max_i ⌈rank(E_i)/|P_i|⌉ suffices; this partition minimises it over all ordered partitions into consecutive blocks (ties: closest to uniform, block by block).',
    guarantee: 'exact',
    caveats: [NON_SINGULARITY_ASSUMED, TUNABLE_BIASES_ASSUMED],
    partition,
    requiredRank: best.valueUpperBound,
    blockRanks: blocks.map((b) => b.discrepancyRank),
    blocks,
    oracleCalls: st.memo.size,
    feasibleTriples: countFeasibleBlocks(L, Lbar),
    uniformRequiredRank: U,
    uniformIsOptimal,
  };
}

/**
 * Optimal partition with a synchronous rank oracle. See the module comment for the algorithm.
 *
 * @param L frozen depth
 * @param Lbar target depth, `1 ≤ L̄ ≤ L`
 * @param rankOf `rank(W̄_i − W_last ⋯ W_first)`, all indices 1-based; called at most once per triple
 */
export function optimalPartition(
  L: number,
  Lbar: number,
  rankOf: BlockRankOracle,
  options?: OptimalPartitionOptions,
): OptimalPartitionResult {
  const search = optimalPartitionSearch(L, Lbar, options);
  let step = search.next();
  while (!step.done) {
    const q = step.value;
    step = search.next(rankOf(q.targetLayer, q.firstFrozen, q.lastFrozen));
  }
  return step.value;
}

/**
 * Same search with an asynchronous oracle (one request in flight at a time). A rejected promise
 * aborts the search with that error (use it for cancellation).
 */
export async function optimalPartitionAsync(
  L: number,
  Lbar: number,
  rankOf: AsyncBlockRankOracle,
  options?: OptimalPartitionOptions,
): Promise<OptimalPartitionResult> {
  const search = optimalPartitionSearch(L, Lbar, options);
  let step = search.next();
  while (!step.done) {
    const q = step.value;
    step = search.next(await rankOf(q.targetLayer, q.firstFrozen, q.lastFrozen));
  }
  return step.value;
}
