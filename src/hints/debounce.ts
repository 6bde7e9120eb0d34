/**
 * Per-key debouncing: `schedule(key, fn)` runs `fn` once, `delayMs` after the last call for that
 * key. Timers are injectable so the logic is tested without waiting.
 */

export interface TimerApi {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: TimerApi = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class KeyedDebouncer<K> {
  private readonly pending = new Map<K, { handle: unknown; fn: () => void }>();

  constructor(
    private readonly delayMs: number,
    private readonly timers: TimerApi = realTimers,
  ) {}

  /** (Re)starts the timer of `key`; only the last `fn` runs. */
  schedule(key: K, fn: () => void): void {
    this.cancel(key);
    const handle = this.timers.setTimeout(() => {
      this.pending.delete(key);
      fn();
    }, this.delayMs);
    this.pending.set(key, { handle, fn });
  }

  /** Runs the pending call of `key` now, if any. */
  flush(key: K): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    this.cancel(key);
    entry.fn();
  }

  cancel(key: K): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    this.timers.clearTimeout(entry.handle);
    this.pending.delete(key);
  }

  isPending(key: K): boolean {
    return this.pending.has(key);
  }

  dispose(): void {
    for (const key of [...this.pending.keys()]) this.cancel(key);
  }
}
