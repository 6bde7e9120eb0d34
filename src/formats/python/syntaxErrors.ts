/**
 * ERROR and MISSING nodes of one top-level statement, visiting only subtrees that contain errors.
 */
import type { Node } from 'web-tree-sitter';
import type { Span } from './ir';

export interface ErrorIR {
  kind: 'error' | 'missing';
  /** Relative to the statement start, like every span in a summary. */
  span: Span;
  missing?: string;
}

/** Caps the list for pathological input (a binary file opened as Python). */
const MAX_ERRORS = 200;

/** `limits.truncated` is set when errors were left out (too many, or nested too deep). */
export function collectSyntaxErrors(statement: Node, limits?: { truncated: boolean }): ErrorIR[] {
  const out: ErrorIR[] = [];
  const base = statement.startIndex;
  const visit = (node: Node, depth: number) => {
    if (out.length >= MAX_ERRORS || depth > 500) {
      if (limits) limits.truncated = true;
      return;
    }
    if (node.isMissing) {
      out.push({ kind: 'missing', span: { start: node.startIndex - base, end: node.endIndex - base }, missing: node.type });
      return;
    }
    if (node.isError) out.push({ kind: 'error', span: { start: node.startIndex - base, end: node.endIndex - base } });
    if (!node.hasError) return;
    for (const child of node.children) if (child.hasError || child.isMissing || child.isError) visit(child, depth + 1);
  };
  visit(statement, 0);
  return out;
}
