import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentSecurityPolicy, makeNonce, renderShell } from '../../../src/extension/webviewShell';
import { parseWebviewMessage } from '../../../src/extension/safetensorsViewer/messages';
import { RenderTracker } from '../../../src/extension/safetensorsViewer/renderTracker';

describe('webview shell (safetensors viewer, analysis panel)', () => {
  const csp = 'https://file+.vscode-resource.vscode-cdn.net';
  it('has a strict CSP, nonce on the script and the stylesheet, nothing remote', () => {
    const nonce = makeNonce();
    const html = renderShell({ cspSource: csp, nonce, scriptUri: `${csp}/ext/dist/safetensorsViewer.js`, styleUri: `${csp}/ext/media/safetensorsViewer.css`, title: 'a <b> title', loadingText: 'Reading header…' });
    assert.equal(
      contentSecurityPolicy(csp, nonce),
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${csp} 'nonce-${nonce}'; font-src ${csp}`,
    );
    assert.ok(html.includes(`content="default-src 'none'; script-src 'nonce-${nonce}';`));
    assert.ok(html.includes(`<script nonce="${nonce}" src="${csp}/ext/dist/safetensorsViewer.js"></script>`));
    assert.ok(html.includes(`<link rel="stylesheet" href="${csp}/ext/media/safetensorsViewer.css" nonce="${nonce}">`));
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script, no inline code');
    assert.doesNotMatch(html, /https?:\/\/(?!file\+\.vscode-resource)/, 'no remote URL');
    assert.ok(html.includes('<title>a &lt;b&gt; title</title>'), 'static text escaped too');
    assert.doesNotMatch(html, /img-src/, 'no images unless asked for');
    assert.equal(contentSecurityPolicy(csp, nonce, true), `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${csp} 'nonce-${nonce}'; font-src ${csp}; img-src ${csp} data:`);
  });

  it('a fresh 128-bit nonce every time', () => {
    const a = makeNonce();
    assert.notEqual(a, makeNonce());
    assert.equal(Buffer.from(a, 'base64').length, 16);
  });
});

describe('safetensors viewer: messages from the webview', () => {
  it('accepts the known messages', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'safetensorsViewer/analyze', extra: 1 }), { type: 'safetensorsViewer/analyze' });
    assert.deepEqual(parseWebviewMessage({ type: 'safetensorsViewer/copy', text: 'a.b' }), { type: 'safetensorsViewer/copy', text: 'a.b' });
    assert.deepEqual(
      parseWebviewMessage({ type: 'safetensorsViewer/rendered', rendered: { view: 'error', groups: 0, rows: 0, errorText: 'x' } }),
      { type: 'safetensorsViewer/rendered', rendered: { view: 'error', groups: 0, rows: 0, errorText: 'x' } },
    );
  });

  it('drops malformed ones', () => {
    for (const raw of [null, 'analyze', [], { type: 'safetensorsViewer/unknown' }, { type: 'safetensorsViewer/copy', text: 3 },
      { type: 'safetensorsViewer/rendered', rendered: { view: 'model', groups: -1, rows: 0 } },
      { type: 'safetensorsViewer/rendered', rendered: { view: 'html', groups: 0, rows: 0 } }]) {
      assert.equal(parseWebviewMessage(raw), undefined, JSON.stringify(raw));
    }
  });
});

describe('safetensors viewer: render tracker', () => {
  it('resolves waiters on the next report, answers at once when one is known, forgets on reload', async () => {
    const tracker = new RenderTracker<number>();
    const waiting = tracker.wait('a', 5_000);
    tracker.report('b', 2);
    tracker.report('a', 1);
    assert.equal(await waiting, 1);
    assert.equal(await tracker.wait('a', 5_000), 1);
    tracker.forget('a');
    const next = tracker.wait('a', 5_000);
    tracker.report('a', 3);
    assert.equal(await next, 3);
  });

  it('waits for a report that the caller accepts', async () => {
    const tracker = new RenderTracker<string>();
    tracker.report('a', 'error');
    const model = tracker.wait('a', 5_000, (v) => v === 'model');
    tracker.report('a', 'loading');
    tracker.report('a', 'model');
    assert.equal(await model, 'model');
  });

  it('rejects after the timeout without a report', async () => {
    await assert.rejects(new RenderTracker<number>().wait('x', 10), /nothing was rendered for x within 10 ms/);
  });
});
