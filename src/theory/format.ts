/** Tiny pure formatting helpers shared by every surface (CLI, hovers, panel, reports). */
import type { Guarantee, Partition } from './types';

/** 'exact (sufficient)', 'lower bound (necessary)' or 'heuristic'. */
export function describeGuarantee(g: Guarantee): string {
  switch (g) {
    case 'exact':
      return 'exact (sufficient)';
    case 'lower-bound':
      return 'lower bound (necessary)';
    case 'heuristic':
      return 'heuristic';
  }
}

/** Blocks in brackets, layers separated by spaces: [[1,2],[3,4,5]] → "[1 2] [3 4 5]". */
export function formatPartition(partition: Partition): string {
  return partition.map((block) => `[${block.join(' ')}]`).join(' ');
}
