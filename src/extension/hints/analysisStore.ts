/**
 * Data-driven results the analysis commands leave for the inline hints, keyed by the base model's
 * folder. In memory only; cleared when the extension host restarts. No `vscode` import, so the
 * unit tests use it directly.
 *
 * One store per extension host: it lives on `globalThis` under a registered symbol, so a second
 * copy of this module (the integration tests load the compiled sources next to the bundle) sees
 * the same results.
 */
import * as path from 'node:path';
import type { TransformerAnalysisResult } from '../../hints/types';

export type { TransformerAnalysisResult };

type Listener = (baseFolder: string) => void;

export class AnalysisStore {
  private readonly results = new Map<string, TransformerAnalysisResult>();
  private readonly listeners = new Set<Listener>();

  /** Records (or replaces) the result for a base model folder and notifies listeners. */
  setTransformerResult(baseFolder: string, result: TransformerAnalysisResult): void {
    const key = AnalysisStore.key(baseFolder);
    this.results.set(key, {
      rankPattern: { ...result.rankPattern },
      modules: result.modules.map((m) => ({ name: m.name, deltaRank: m.deltaRank, shape: [m.shape[0], m.shape[1]] })),
    });
    this.emit(key);
  }

  getTransformerResult(baseFolder: string): TransformerAnalysisResult | undefined {
    return this.results.get(AnalysisStore.key(baseFolder));
  }

  /** Forgets one folder's result, or all of them. */
  clear(baseFolder?: string): void {
    if (baseFolder === undefined) {
      const keys = [...this.results.keys()];
      this.results.clear();
      keys.forEach((k) => this.emit(k));
    } else if (this.results.delete(AnalysisStore.key(baseFolder))) {
      this.emit(AnalysisStore.key(baseFolder));
    }
  }

  /** Calls `listener(baseFolder)` after every change; returns a disposable. */
  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Absolute, normalised, without a trailing separator. */
  static key(folder: string): string {
    const resolved = path.resolve(folder);
    return resolved.length > 1 && resolved.endsWith(path.sep) ? resolved.slice(0, -1) : resolved;
  }

  private emit(key: string): void {
    for (const l of [...this.listeners]) {
      try {
        l(key);
      } catch {
        // A failing listener must not stop the others.
      }
    }
  }
}

const STORE_KEY = Symbol.for('loraLens.analysisStore');

/** The store shared by the analysis commands and the hints. */
export const analysisStore: AnalysisStore = ((globalThis as Record<symbol, unknown>)[STORE_KEY] ??= new AnalysisStore()) as AnalysisStore;
