import { describe, expect, it } from 'vitest';
import { DispatchChain } from './dispatch-chain.ts';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('DispatchChain', () => {
  it('lets one task set up at a time, the next after the previous one sent its request', async () => {
    const chain = new DispatchChain({ maxHoldMs: 10_000 });
    const order: string[] = [];
    const first = chain.enter().then((sent) => {
      order.push('first');
      return sent;
    });
    const second = chain.enter().then((sent) => {
      order.push('second');
      return sent;
    });
    const sentFirst = await first;
    for (let i = 0; i < 5; i++) await turn();
    expect(order).toEqual(['first']); // the second waits while the first has not sent
    sentFirst();
    (await second)();
    expect(order).toEqual(['first', 'second']);
  });

  it('does not let a task that never sends hold the others past maxHoldMs', async () => {
    const chain = new DispatchChain({ maxHoldMs: 5 });
    await chain.enter(); // never calls sent()
    const next = await chain.enter();
    next();
    expect(typeof next).toBe('function');
  });

  it('is idle again at once when the last task sent: a lone task starts in one turn', async () => {
    const chain = new DispatchChain({ maxHoldMs: 10_000 });
    (await chain.enter())();
    let started = false;
    void chain.enter().then(() => {
      started = true;
    });
    await turn();
    expect(started).toBe(true);
  });
});
