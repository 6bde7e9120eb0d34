/** One-line error texts for notifications: never a stack trace, never a multi-line dump. */
import { ResponseError } from 'vscode-jsonrpc/node';

/** JSON-RPC's "request cancelled" error code (LSP's RequestCancelled). */
const REQUEST_CANCELLED = -32800;

/** The analysis was cancelled by the user (Cancel button or a cancelled token). */
export class AnalysisCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AnalysisCancelled';
  }
}

export function isCancellation(error: unknown): boolean {
  return error instanceof AnalysisCancelled || (error instanceof ResponseError && error.code === REQUEST_CANCELLED);
}

/**
 * The message of an error as one line. Engine errors arrive as JSON-RPC ResponseErrors whose message is
 * the engine's own text (e.g. a FormatError naming the file); vscode-jsonrpc sometimes wraps thrown
 * errors as "Request engine/analyze failed with message: …", which adds nothing for a person.
 */
export function oneLineMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const text = raw
    .replace(/^Request [\w/]+ failed with message: /, '')
    .replace(/\s*\n\s*at .*/s, '') // a stack that leaked into a message
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim();
  const limited = text.length > 400 ? `${text.slice(0, 399)}…` : text;
  return limited || 'unknown error';
}
