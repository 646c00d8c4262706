import { describe, expect, it, vi } from 'vitest';
import { describePoll, type PollState, Poller } from '../../../../consumer/cli/poller.js';

const at = (seconds: number): Date => new Date(2026, 0, 1, 12, 0, seconds);

describe('Poller', () => {
  it('never starts a read while one is in progress, even when reads take longer than the interval', async () => {
    let running = 0;
    let most = 0;
    let reads = 0;
    const poller = new Poller(async () => {
      running += 1;
      most = Math.max(most, running);
      // Slower than the 1 ms interval, and settled by the event loop rather than a timer.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setImmediate(resolve));
      running -= 1;
      return ++reads;
    }, 1);
    poller.start();
    await vi.waitFor(() => expect(reads).toBeGreaterThanOrEqual(5));
    // stop() resolves only once the loop has returned: no read can start after it.
    await poller.stop();
    expect(most).toBe(1);
  });

  it('keeps the last good value through failures, and says since when reads fail', async () => {
    const answers: (() => number)[] = [
      () => 7,
      () => {
        throw new Error('Connection error: connect ECONNREFUSED');
      },
    ];
    const states: PollState<number>[] = [];
    const poller = new Poller(
      async () => (answers.shift() ?? (() => 8))(),
      1,
      (state) => states.push({ ...state }),
    );
    poller.start();
    await vi.waitFor(() => expect(states.length).toBeGreaterThanOrEqual(3));
    await poller.stop();
    expect(states[0]).toMatchObject({ value: 7, error: undefined, failingSince: undefined });
    expect(states[1]).toMatchObject({ value: 7, error: 'Connection error: connect ECONNREFUSED' });
    expect(states[1]?.failingSince).toBeInstanceOf(Date);
    expect(states[2]).toMatchObject({ value: 8, error: undefined, failingSince: undefined });
  });
});

describe('describePoll', () => {
  const state = (overrides: Partial<PollState<number>>): PollState<number> => ({
    value: undefined,
    readAt: undefined,
    error: undefined,
    failingSince: undefined,
    readingSince: undefined,
    ...overrides,
  });

  it('gives the time of the figures', () => {
    expect(describePoll(state({ value: 1, readAt: at(4) }), at(5))).toBe('last updated 12:00:04');
    expect(describePoll(state({}), at(5))).toBe('reading…');
  });

  it('says the broker has not answered, with the age of the figures still shown', () => {
    expect(describePoll(state({ value: 1, readAt: at(4), error: 'timeout', failingSince: at(6) }), at(20))).toBe(
      'last updated 12:00:04 (16 s ago); the broker has not answered since 12:00:06, still trying: timeout',
    );
    expect(describePoll(state({ error: 'refused', failingSince: at(1) }), at(2))).toBe(
      'nothing read yet; the broker has not answered since 12:00:01, still trying: refused',
    );
  });

  it('says a read is hanging once it has waited 3 s', () => {
    expect(describePoll(state({ value: 1, readAt: at(0), readingSince: at(1) }), at(3))).toBe('last updated 12:00:00');
    expect(describePoll(state({ value: 1, readAt: at(0), readingSince: at(1) }), at(5))).toBe('last updated 12:00:00 (5 s ago); waiting 4 s for the broker');
  });
});
