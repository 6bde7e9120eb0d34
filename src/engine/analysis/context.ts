/** What an analysis runs with: the tensor backend (loaded lazily), progress, cancellation, limits. */
import type { TensorBackend } from '../backend';

export interface AnalysisContext {
  /** Loads (once) and returns the tensor backend; never called by architecture-only analyses. */
  backend: () => Promise<TensorBackend>;
  /** 0..1 and the current module. */
  onProgress: (fraction: number, message: string) => void;
  signal?: AbortSignal;
  /** Counts of heavy operations, reported by some analyses (e.g. spectra computed). */
  counters: { spectra: number };
}

/** The caller's options for {@link AnalysisContext}; `backend` may be a loaded backend or a loader. */
export interface AnalysisContextInput {
  backend: TensorBackend | (() => Promise<TensorBackend>);
  onProgress?: (fraction: number, message: string) => void;
  signal?: AbortSignal;
}

export function makeContext(input: AnalysisContextInput): AnalysisContext {
  const source = input.backend;
  let loaded: Promise<TensorBackend> | undefined;
  return {
    backend: () => (loaded ??= typeof source === 'function' ? source() : Promise.resolve(source)),
    onProgress: input.onProgress ?? (() => undefined),
    signal: input.signal,
    counters: { spectra: 0 },
  };
}

/** The analysis was cancelled through its AbortSignal. */
export class AnalysisCancelledError extends Error {
  constructor() {
    super('analysis cancelled');
    this.name = 'AnalysisCancelledError';
  }
}

/**
 * The inputs cannot be analysed together (different architectures or shapes, a model too large for
 * the memory cap, an FNN pair that is not one). One line for people; `details` lists specifics.
 */
export class AnalysisInputError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(details.length > 0 ? `${message}: ${details.join('; ')}` : message);
    this.name = 'AnalysisInputError';
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AnalysisCancelledError();
}
