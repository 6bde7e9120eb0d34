/**
 * Shared result vocabulary of the theory layer. Every result carries the rule that produced it and
 * how strong its guarantee is, so every surface (CLI, hovers, panel, reports) can say so.
 */

/**
 * How strong a result is.
 * - `'exact'`: sufficient by theorem (and, for random models, also necessary); for error values, the
 *   value is the optimum / is attained.
 * - `'lower-bound'`: necessary only (any smaller rank certainly fails; this rank may not suffice).
 * - `'heuristic'`: a rule of thumb, no theorem behind it.
 */
export type Guarantee = 'exact' | 'lower-bound' | 'heuristic';

/** Provenance of a result: which rule produced it and how far it can be trusted. */
export interface RuleInfo {
  /** Stable identifier, e.g. `'fnn-uniform-worst-case'`. Surfaces may key on it. */
  rule: string;
  /** One sentence for people, naming the result by its content (and source). */
  ruleText: string;
  guarantee: Guarantee;
  /** True for results that theory.md marks [reconstructed] (best available reading of the paper). */
  reconstructed?: boolean;
  /** Conditions and limits, e.g. 'ignoring RoPE', 'hypothesis not met; the threshold may still hold'. */
  caveats?: string[];
}

/** Invalid input to a theory function (L̄ > L, bad partition, negative width, …). One-line message. */
export class TheoryInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TheoryInputError';
  }
}

/**
 * An ordered partition of frozen layers `1..L` into consecutive non-empty blocks; `partition[i-1]`
 * lists the 1-based frozen layers assigned to target layer `i`.
 */
export type Partition = number[][];

/** Which matrix norm an error is measured in. */
export type ErrorNorm = 'spectral' | 'frobenius';
