/** The filter box: every whitespace-separated term must occur in a tensor's name, dtype, shape or role. */
import type { SafetensorsViewerTensor } from '../../src/protocol';
import { formatShape } from './format';

/** Lower-case terms of the filter text (empty: everything matches). */
export function filterTerms(text: string): string[] {
  return text.toLowerCase().split(/\s+/).filter((t) => t.length > 0);
}

/** What a term is matched against, e.g. "model.layers.0.mlp.up_proj.weight f32 128 × 64 128x64 [128, 64] up". */
export function searchText(t: SafetensorsViewerTensor): string {
  return [t.name, t.dtype, formatShape(t.shape), t.shape.join('x'), `[${t.shape.join(', ')}]`, t.role ?? '', t.analysable ? '' : 'not-analysable']
    .join(' ')
    .toLowerCase();
}

export function matchesTerms(haystack: string, terms: readonly string[]): boolean {
  return terms.every((term) => haystack.includes(term));
}
