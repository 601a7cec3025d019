import { describe, expect, it } from 'vitest';
import { TaskCancelledError } from '../errors/index.ts';
import { Admission } from './admission.ts';
import { BinaryHeap, type HeapItem } from './binary-heap.ts';
import { PRIORITY_AGING_MS } from './task-priority.ts';

/** An admission on a clock the test moves, and the order in which its waiters were granted. */
function setup(limit = 1) {
  let now = 0;
  const admission = new Admission(limit, { now: () => now });
  const granted: string[] = [];
  const wait = (name: string, options: { priority?: number; first?: boolean; signal?: AbortSignal } = {}) => {
    const held = admission.acquire(options.signal, options).then(() => granted.push(name));
    held.catch(() => {});
    return held;
  };
  /** Releases one slot at a time and lets each grant settle, until nobody waits. */
  const drain = async () => {
    await Promise.resolve();
    while (admission.queued > 0 || admission.active > 0) {
      admission.release();
      await Promise.resolve();
      await Promise.resolve();
    }
  };
  return { admission, granted, wait, drain, tick: (ms: number) => (now += ms) };
}

describe('Admission', () => {
  it('grants at once while a slot is free and nobody waits, FIFO among equal priorities', async () => {
    const { admission, granted, wait, drain } = setup(2);
    await wait('a');
    await wait('b');
    expect(admission.active).toBe(2);
    for (const name of ['c', 'd', 'e']) void wait(name);
    expect(admission.queued).toBe(3);
    await drain();
    expect(granted).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('admits a high-priority task submitted behind 100 queued low ones next', async () => {
    const { granted, wait, drain, tick } = setup();
    await wait('running');
    for (let i = 0; i < 100; i++) {
      void wait(`low ${i}`, { priority: -10 });
      tick(1);
    }
    void wait('high', { priority: 10 });
    await drain();
    expect(granted.slice(0, 3)).toEqual(['running', 'high', 'low 0']);
    expect(granted.slice(2)).toEqual(Array.from({ length: 100 }, (_, i) => `low ${i}`));
  });

  it('ages: a low task that has waited long enough goes before newer high ones', async () => {
    const { granted, wait, drain, tick } = setup();
    await wait('running');
    void wait('old low', { priority: -50 });
    // 100 points apart: after 100 aging periods they are even, and the older one goes first.
    tick(100 * PRIORITY_AGING_MS);
    void wait('new high', { priority: 50 });
    tick(1);
    void wait('newer high', { priority: 50 });
    await drain();
    expect(granted).toEqual(['running', 'old low', 'new high', 'newer high']);
  });

  it('does not let aging beat a high task that arrives soon after', async () => {
    const { granted, wait, drain, tick } = setup();
    await wait('running');
    void wait('low', { priority: -50 });
    tick(99 * PRIORITY_AGING_MS);
    void wait('high', { priority: 50 });
    await drain();
    expect(granted).toEqual(['running', 'high', 'low']);
  });

  it('puts a resuming parent (`first`) ahead of every priority', async () => {
    const { granted, wait, drain } = setup();
    await wait('running');
    void wait('urgent', { priority: 100 });
    void wait('parent', { first: true, priority: -100 });
    await drain();
    expect(granted).toEqual(['running', 'parent', 'urgent']);
  });

  it('cancels a queued waiter without disturbing the order of the others', async () => {
    const { admission, granted, wait, drain } = setup();
    await wait('running');
    const cancel = new AbortController();
    void wait('a', { priority: 5 });
    const cancelled = wait('b', { priority: 9, signal: cancel.signal });
    void wait('c', { priority: 1 });
    cancel.abort();
    await expect(cancelled).rejects.toBeInstanceOf(TaskCancelledError);
    expect(admission.queued).toBe(2);
    await drain();
    expect(granted).toEqual(['running', 'a', 'c']);
    expect(admission.active).toBe(0);
  });

  it('refuses an aborted signal, a release without a slot and a bad limit', async () => {
    const admission = new Admission(1);
    await expect(admission.acquire(AbortSignal.abort())).rejects.toBeInstanceOf(TaskCancelledError);
    expect(() => admission.release()).toThrow('without a held slot');
    expect(() => new Admission(0)).toThrow(RangeError);
  });
});

describe('BinaryHeap', () => {
  it('pops in order after random pushes and removals', () => {
    type Item = HeapItem & { n: number };
    const heap = new BinaryHeap<Item>((a, b) => a.n < b.n);
    let seed = 7;
    const random = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed % 1000;
    };
    const items: Item[] = Array.from({ length: 500 }, () => ({ n: random(), heapIndex: -1 }));
    for (const item of items) heap.push(item);
    const removed = items.filter((_, i) => i % 3 === 0);
    for (const item of removed) expect(heap.remove(item)).toBe(true);
    expect(heap.remove(removed[0]!)).toBe(false);
    const popped: number[] = [];
    for (let item = heap.pop(); item; item = heap.pop()) popped.push(item.n);
    const kept = items.filter((_, i) => i % 3 !== 0).map((i) => i.n);
    expect(popped).toEqual(kept.sort((a, b) => a - b));
  });
});
