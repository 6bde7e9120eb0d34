// Bundles the four programs with esbuild: extension host, engine process, CLI (node) and webview (browser).
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, existsSync, rmSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** Native or optional modules that must be resolved at run time, never bundled. */
const nodeExternals = ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

const nodeTargets = [
  { entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['src/engine/main.ts'], outfile: 'dist/engine.js' },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
].filter((t) => existsSync(t.entryPoints[0]));

const builds = nodeTargets.map((t) => ({
  ...common,
  ...t,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: nodeExternals,
  // web-tree-sitter's ESM build finds its .wasm through import.meta.url, which a CJS bundle lacks:
  // bundle its CommonJS build instead.
  alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' },
}));

if (existsSync('webview/main.ts')) {
  builds.push({
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
  });
}

// The safetensors viewer's webview script (custom editor loraLens.safetensorsViewer).
builds.push({
  ...common,
  entryPoints: ['webview/safetensorsViewer.ts'],
  outfile: 'dist/safetensorsViewer.js',
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
});

/** Runtime assets the bundles load from disk next to themselves. */
function copyAssets() {
  mkdirSync('dist', { recursive: true });
  const assets = [
    ['node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm', 'dist/tfjs-backend-wasm.wasm'],
    ['node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm', 'dist/tfjs-backend-wasm-simd.wasm'],
    ['node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm', 'dist/tfjs-backend-wasm-threaded-simd.wasm'],
    ['node_modules/web-tree-sitter/web-tree-sitter.wasm', 'dist/web-tree-sitter.wasm'],
    ['node_modules/@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm', 'dist/tree-sitter-python.wasm'],
  ];
  for (const [from, to] of assets) cpSync(from, to);
}

// A production build (the .vsix) starts from an empty dist/: no stale source maps from dev builds.
if (production) rmSync('dist', { recursive: true, force: true });
copyAssets();
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
