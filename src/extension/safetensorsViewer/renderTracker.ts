/**
 * Remembers, per key (a file's URI), the last thing reported about it and lets callers wait for the
 * next report: the viewer's webviews report what they rendered, and tests wait on that event
 * instead of sleeping. Pure (no `vscode`).
 */
export class RenderTracker<T> {
  private readonly last = new Map<string, T>();
  private readonly waiters = new Map<string, ((value: T) => void)[]>();

  report(key: string, value: T): void {
    this.last.set(key, value);
    const waiting = this.waiters.get(key);
    this.waiters.delete(key);
    waiting?.forEach((resolve) => resolve(value));
  }

  /** Drops what was reported (the file is being read again): `wait` then waits for a new report. */
  forget(key: string): void {
    this.last.delete(key);
  }

  /** The last report for `key`, or the next one; rejects after `timeoutMs` without one. */
  wait(key: string, timeoutMs: number): Promise<T> {
    const known = this.last.get(key);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.waiters.get(key) ?? [];
        const rest = list.filter((w) => w !== done);
        if (rest.length) this.waiters.set(key, rest);
        else this.waiters.delete(key);
        reject(new Error(`nothing was rendered for ${key} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (value: T) => {
        clearTimeout(timer);
        resolve(value);
      };
      const list = this.waiters.get(key) ?? [];
      list.push(done);
      this.waiters.set(key, list);
    });
  }
}
