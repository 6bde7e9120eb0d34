/**
 * The viewer's HTML shell: a strict Content-Security-Policy (no remote content, scripts and styles
 * only by nonce or from the extension), one stylesheet, one script. The shell holds no text from the
 * file: the data arrives by message and the webview renders it escaped. Pure, for unit tests.
 */
import { randomBytes } from 'node:crypto';

export interface ShellResources {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Webview URIs (already converted with `asWebviewUri`). */
  scriptUri: string;
  styleUri: string;
  nonce: string;
}

/** 128 random bits, base64: a fresh nonce for every page. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

/** `default-src 'none'; script-src 'nonce-…'; style-src <cspSource> 'nonce-…'; font-src <cspSource>`. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
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
  <meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(r.cspSource, r.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${attr(r.styleUri)}" nonce="${attr(r.nonce)}">
  <title>safetensors viewer</title>
</head>
<body>
  <main id="app" aria-live="polite"><div class="loading"><span>Reading header…</span></div></main>
  <script nonce="${attr(r.nonce)}" src="${attr(r.scriptUri)}"></script>
</body>
</html>`;
}
