/**
 * Caveat sentences shared by several rules. Surfaces may compare against these constants to group
 * or style caveats, so keep the wording stable.
 */

/** The FNN construction needs invertible frozen layers and invertible intermediate products (theory §2). */
export const NON_SINGULARITY_ASSUMED =
  'assumes the non-singularity hypothesis (frozen layers and the matrices the construction inverts are invertible; random weights satisfy it almost surely)';

/** Shown when the engine found a singular matrix among those the construction needs invertible. */
export const HYPOTHESIS_NOT_MET = 'hypothesis not met; the threshold may still hold';

/** Shown when nobody checked the non-singularity hypothesis. */
export const HYPOTHESIS_UNCHECKED =
  'non-singularity not checked; random weights satisfy it almost surely';

/** The FNN results need tunable biases (with frozen biases the error does not reach zero). */
export const TUNABLE_BIASES_ASSUMED = 'assumes tunable biases';

/** Per-head attention bound on models with rotary position embeddings. */
export const IGNORING_ROPE = 'ignoring RoPE';

/** Results computed from the paper's simplified Transformer (no residuals, no LayerNorm). */
export const SIMPLIFIED_TRANSFORMER =
  "the paper's simplified Transformer (no residual connections, no LayerNorm)";
