import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { InFlightLimit } from '../../../producer/in-flight-limit.js';

describe('InFlightLimit', () => {
  it('lets at most N holders in at once, however many tasks share it', async () => {
    const limit = new InFlightLimit(2);
    let inFlight = 0;
    let highest = 0;
    const task = async (): Promise<void> => {
      for (let send = 0; send < 5; send++) {
        await limit.acquire();
        inFlight += 1;
        highest = Math.max(highest, inFlight);
        // Holds the slot past this turn of the event loop, so every other task tries to get in meanwhile.
        await nextTurn();
        inFlight -= 1;
        limit.release();
      }
    };
    await Promise.all(Array.from({ length: 8 }, task));
    expect(highest).toBe(2);
    expect(inFlight).toBe(0);
  });

  it('serves waiters first come, first served', async () => {
    const limit = new InFlightLimit(1);
    await limit.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((waiter) => limit.acquire().then(() => order.push(waiter)));
    for (let released = 0; released < 3; released++) {
      limit.release();
      await waiters[released];
    }
    expect(order).toEqual([1, 2, 3]);
  });

  it('refuses a limit below one', () => {
    expect(() => new InFlightLimit(0)).toThrow(RangeError);
  });
});
