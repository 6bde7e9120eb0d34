import type { EngineStatus } from '../protocol';

const started = Date.now();

/** What the engine has loaded so far (updated when a request loads a backend). */
export interface BackendState {
  backend: EngineStatus['backend'];
  attempts: EngineStatus['attempts'];
  /** Bytes held by live tensors of the active backend. */
  tensorBytes?: () => number;
}

/** What the engine process runs on and what it uses right now. */
export function engineStatus(state: BackendState): EngineStatus {
  const mem = process.memoryUsage();
  return {
    pid: process.pid,
    node: process.version,
    uptimeSeconds: (Date.now() - started) / 1000,
    backend: state.backend,
    attempts: state.attempts,
    memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, externalBytes: mem.external, tensorBytes: state.tensorBytes?.() ?? 0 },
  };
}
