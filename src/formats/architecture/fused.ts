/**
 * Row ranges of q, k and v inside fused attention projections, in the `[out, in]` matrix.
 */
import type { ModuleSpec } from '../types';

export type FusedSlices = NonNullable<ModuleSpec['fusedSlices']>;

/** Contiguous q | k | v blocks (GPT-2 `c_attn`, Phi-3 `qkv_proj`): q has qRows rows, k and v kvRows each. */
export function contiguousQkvSlices(qRows: number, kvRows: number): FusedSlices {
  return [
    { role: 'q', rows: [0, qRows] },
    { role: 'k', rows: [qRows, qRows + kvRows] },
    { role: 'v', rows: [qRows + kvRows, qRows + 2 * kvRows] },
  ];
}

/**
 * GPT-NeoX's `query_key_value` interleaves per head: rows of head h are
 * `[q_h | k_h | v_h]`, each headDim long. So each role has one slice PER HEAD, listed in row order
 * (3·numHeads entries); consumers must gather every slice of a role, not take the first.
 */
export function perHeadQkvSlices(numHeads: number, headDim: number): FusedSlices {
  const slices: FusedSlices = [];
  for (let h = 0; h < numHeads; h++) {
    const base = 3 * h * headDim;
    slices.push({ role: 'q', rows: [base, base + headDim] });
    slices.push({ role: 'k', rows: [base + headDim, base + 2 * headDim] });
    slices.push({ role: 'v', rows: [base + 2 * headDim, base + 3 * headDim] });
  }
  return slices;
}
