import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedDebouncer, type TimerApi } from '../../../src/hints/debounce';

/** A manual clock: timers fire only when the test advances time. */
class FakeTimers implements TimerApi {
  now = 0;
  private next = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= this.now) {
        this.timers.delete(id);
        t.fn();
      }
    }
  }
}

describe('KeyedDebouncer', () => {
  it('runs only the last call, delay ms after it; keys are independent', () => {
    const timers = new FakeTimers();
    const d = new KeyedDebouncer<string>(250, timers);
    const runs: string[] = [];
    d.schedule('a', () => runs.push('a1'));
    timers.advance(200);
    d.schedule('a', () => runs.push('a2'));
    d.schedule('b', () => runs.push('b1'));
    timers.advance(200);
    assert.deepEqual(runs, []);
    assert.equal(d.isPending('a'), true);
    timers.advance(50);
    assert.deepEqual(runs, ['a2', 'b1']);
    assert.equal(d.isPending('a'), false);
  });

  it('flush runs now, cancel and dispose drop pending calls', () => {
    const timers = new FakeTimers();
    const d = new KeyedDebouncer<string>(100, timers);
    const runs: string[] = [];
    d.schedule('a', () => runs.push('a'));
    d.flush('a');
    d.schedule('b', () => runs.push('b'));
    d.cancel('b');
    d.schedule('c', () => runs.push('c'));
    d.dispose();
    timers.advance(1000);
    assert.deepEqual(runs, ['a']);
  });
});
