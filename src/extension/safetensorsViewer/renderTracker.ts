/**
 * Remembers, per key (a file's URI), the last thing reported about it and lets callers wait for the
 * next report: the viewer's webviews report what they rendered, and tests wait on that event
 * instead of sleeping. Pure (no `vscode`).
 */
export class RenderTracker<T> {
  private readonly last = new Map<string, T>();
  private readonly waiters = new Map<string, { accept: (value: T) => boolean; resolve: (value: T) => void }[]>();

  report(key: string, value: T): void {
    this.last.set(key, value);
    const waiting = this.waiters.get(key) ?? [];
    const rest = waiting.filter((w) => !w.accept(value));
    if (rest.length) this.waiters.set(key, rest);
    else this.waiters.delete(key);
    waiting.filter((w) => !rest.includes(w)).forEach((w) => w.resolve(value));
  }

  /** Drops what was reported (the file is being read again): `wait` then waits for a new report. */
  forget(key: string): void {
    this.last.delete(key);
  }

  /**
   * The last report for `key` that `accept` takes, or the next such report; rejects after
   * `timeoutMs` without one.
   */
  wait(key: string, timeoutMs: number, accept: (value: T) => boolean = () => true): Promise<T> {
    const known = this.last.get(key);
    if (known !== undefined && accept(known)) return Promise.resolve(known);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.waiters.get(key) ?? [];
        const rest = list.filter((w) => w !== waiter);
        if (rest.length) this.waiters.set(key, rest);
        else this.waiters.delete(key);
        reject(new Error(`nothing was rendered for ${key} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        accept,
        resolve: (value: T) => {
          clearTimeout(timer);
          resolve(value);
        },
      };
      const list = this.waiters.get(key) ?? [];
      list.push(waiter);
      this.waiters.set(key, list);
    });
  }
}
