import type { EngineStatus } from '../protocol';

const started = Date.now();

/** What the engine process runs on and what it uses right now. */
export function engineStatus(backend: EngineStatus['backend'], attempts: EngineStatus['attempts'], tensorBytes: number): EngineStatus {
  const mem = process.memoryUsage();
  return {
    pid: process.pid,
    node: process.version,
    uptimeSeconds: (Date.now() - started) / 1000,
    backend,
    attempts,
    memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, externalBytes: mem.external, tensorBytes },
  };
}
