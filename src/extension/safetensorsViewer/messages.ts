/**
 * Checks what the viewer webview posts before acting on it. The webview runs our own script, but a
 * message is still data crossing a boundary: anything malformed is dropped. Pure, for unit tests.
 */
import type { SafetensorsViewerRendered, SafetensorsViewerWebviewMessage } from '../../protocol';

/** Longest text the webview may ask us to copy (a tensor name; the header caps names anyway). */
const MAX_COPY_CHARS = 1_000_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseRendered(value: unknown): SafetensorsViewerRendered | undefined {
  if (!isRecord(value) || (value.view !== 'model' && value.view !== 'error')) return undefined;
  if (!isCount(value.groups) || !isCount(value.rows)) return undefined;
  const rendered: SafetensorsViewerRendered = { view: value.view, groups: value.groups, rows: value.rows };
  if (typeof value.errorText === 'string') rendered.errorText = value.errorText;
  return rendered;
}

/** The message, typed, or undefined when it is not one the viewer sends. */
export function parseWebviewMessage(raw: unknown): SafetensorsViewerWebviewMessage | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'safetensorsViewer/ready':
    case 'safetensorsViewer/analyze':
    case 'safetensorsViewer/reload':
    case 'safetensorsViewer/openAsText':
      return { type: raw.type };
    case 'safetensorsViewer/copy':
      return typeof raw.text === 'string' && raw.text.length <= MAX_COPY_CHARS ? { type: raw.type, text: raw.text } : undefined;
    case 'safetensorsViewer/rendered': {
      const rendered = parseRendered(raw.rendered);
      return rendered ? { type: raw.type, rendered } : undefined;
    }
    default:
      return undefined;
  }
}
