/**
 * Helpers that keep every problem text on one line and safe to show: names from a model file are
 * data (they may hold quotes, HTML, newlines or other control characters) and are quoted as JSON
 * strings with every remaining line-breaking or invisible control character escaped.
 */
import { FormatError } from '../types';

const MAX_SHOWN_CHARS = 120;

/** `text` as a one-line JSON string literal, shortened to about 120 characters. */
export function quote(text: string): string {
  const shown = text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
  return JSON.stringify(shown).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A short, one-line description of a file-system error (no stack, no path: the caller adds it). */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOTDIR':
      return 'a parent of this path is not a folder';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return `cannot read (${message.split('\n')[0]})`;
    }
  }
}

/** Runs a file-system call, turning any failure into `FormatError(file, …)`. */
export async function fsCall<T>(file: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError(file, describeFsError(error));
  }
}
