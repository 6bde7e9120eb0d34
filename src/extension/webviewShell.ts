/**
 * The HTML shell of every script-driven webview (analysis panel, safetensors viewer): a strict
 * Content-Security-Policy (no remote content; the one script and stylesheet by nonce or from the
 * extension), a loading line, nothing else. The shell holds no text from a model file: data arrives
 * by message and the webview renders it with DOM APIs. Pure, for unit tests.
 */
import { randomBytes } from 'node:crypto';

export interface ShellResources {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Webview URIs (already converted with `asWebviewUri`). */
  scriptUri: string;
  styleUri: string;
  nonce: string;
  /** The page title (static text). */
  title: string;
  /** Shown until the script replaces it (static text). */
  loadingText: string;
  /** Allow `img-src <cspSource> data:` (the panel's plots may use data: URLs). */
  images?: boolean;
}

/** 128 random bits, base64: a fresh nonce for every page. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

/** `default-src 'none'; script-src 'nonce-…'; style-src <cspSource> 'nonce-…'; font-src <cspSource>[; img-src …]`. */
export function contentSecurityPolicy(cspSource: string, nonce: string, images = false): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    ...(images ? [`img-src ${cspSource} data:`] : []),
  ].join('; ');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderShell(r: ShellResources): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(r.cspSource, r.nonce, r.images))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${attr(r.styleUri)}" nonce="${attr(r.nonce)}">
  <title>${attr(r.title)}</title>
</head>
<body>
  <main id="app" data-state="loading" aria-live="polite"><p class="loading">${attr(r.loadingText)}</p></main>
  <script nonce="${attr(r.nonce)}" src="${attr(r.scriptUri)}"></script>
</body>
</html>`;
}
