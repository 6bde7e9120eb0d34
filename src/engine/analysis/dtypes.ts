/** Storage-dtype helpers for tolerances that involve several stored matrices. */

/** Finest to coarsest machine epsilon; unknown names count as F32. */
const EPS_ORDER = ['F64', 'F32', 'F16', 'BF16'];

const order = (d: string): number => (EPS_ORDER.includes(d) ? EPS_ORDER.indexOf(d) : 1);

/** The dtype with the larger machine epsilon (a difference is only as exact as its coarsest operand). */
export function coarserDtype(a: string, b: string): string {
  return EPS_ORDER[Math.max(order(a), order(b))] as string;
}
