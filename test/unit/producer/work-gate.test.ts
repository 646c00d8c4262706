import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nowMicros, type GateLimits, WorkGate } from '../../../producer/work-gate.js';

const unlimited: GateLimits = { threads: 1, count: 0, ratePerSecond: undefined, durationMs: undefined };

/** Two gates on one buffer stand for two threads. */
function twoThreads(limits: GateLimits): (task: number) => WorkGate {
  const buffer = WorkGate.createBuffer();
  const gates = [new WorkGate(buffer, limits), new WorkGate(buffer, limits)] as const;
  return (task) => gates[task % 2 === 0 ? 0 : 1];
}

/** Runs `tasks` loops that claim `want` messages at a time until the gate says done; resolves to the total granted. */
async function claimAll(gateOf: (task: number) => WorkGate, tasks: number, want: number): Promise<number> {
  let total = 0;
  await Promise.all(
    Array.from({ length: tasks }, async (_, task) => {
      for (let granted = await gateOf(task).claim(want); granted > 0; granted = await gateOf(task).claim(want)) total += granted;
    }),
  );
  return total;
}

/** Follows a promise without awaiting it, so a test can say whether it has settled at a given fake time. */
function follow<T>(promise: Promise<T>): { settled: boolean; value: T | undefined } {
  const state: { settled: boolean; value: T | undefined } = { settled: false, value: undefined };
  void promise.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
}

describe('WorkGate', () => {
  it('hands out exactly --count messages however the claims interleave', async () => {
    expect(await claimAll(twoThreads({ ...unlimited, count: 1_003 }), 8, 10)).toBe(1_003);
  });

  it('stops handing out work once stopped, for every thread', async () => {
    const buffer = WorkGate.createBuffer();
    const first = new WorkGate(buffer, unlimited);
    const second = new WorkGate(buffer, unlimited);
    expect(await second.claim(5)).toBe(5);
    first.stop();
    expect(second.stopped).toBe(true);
    expect(await second.claim(5)).toBe(0);
  });

  describe('in time (fake timers: the clock moves only when the test says)', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('paces claims to --rate and ends at --duration', async () => {
      const gate = new WorkGate(WorkGate.createBuffer(), { ...unlimited, ratePerSecond: 1_000, durationMs: 300 });
      const startedAt = performance.now();
      const claimed = follow(claimAll(() => gate, 1, 10));
      // 10 messages every 10 ms: by 150 ms, the claims due at 0, 10, …, 150 ms.
      await vi.advanceTimersByTimeAsync(150);
      expect(claimed.settled).toBe(false);
      await vi.runAllTimersAsync();
      expect(claimed.value).toBe(300);
      // The last claim, due at 290 ms, is the last one before the 300 ms deadline.
      expect(performance.now() - startedAt).toBe(290);
    });

    it('sends every slot booked before the deadline, however many tasks share the rate', async () => {
      const claimed = follow(claimAll(twoThreads({ threads: 2, count: 0, ratePerSecond: 2_000, durationMs: 400 }), 32, 20));
      await vi.runAllTimersAsync();
      // 32 tasks book up to 320 ms ahead: a deadline that stopped them all would leave about 640 unsent.
      expect(claimed.value).toBe(800);
    });

    it('notices a stop within 100 ms, even while waiting for a slot 5 s away', async () => {
      const gate = new WorkGate(WorkGate.createBuffer(), { ...unlimited, ratePerSecond: 0.2 });
      expect(await gate.claim(1)).toBe(1);
      const waiting = follow(gate.claim(5));
      await vi.advanceTimersByTimeAsync(1_000);
      expect(waiting.settled).toBe(false);
      gate.stop();
      await vi.advanceTimersByTimeAsync(100);
      expect(waiting).toEqual({ settled: true, value: 0 });
    });

    it('lets no thread start before every thread is connected', async () => {
      const gateOf = twoThreads({ ...unlimited, threads: 2 });
      gateOf(0).markConnected();
      const released = follow(gateOf(0).whenAllConnected());
      await vi.advanceTimersByTimeAsync(1_000);
      expect(released.settled).toBe(false);
      gateOf(1).markConnected();
      await vi.advanceTimersByTimeAsync(5);
      expect(released.settled).toBe(true);
    });

    it('stops waiting for the other threads once a stop is requested (one failed to connect)', async () => {
      const alone = new WorkGate(WorkGate.createBuffer(), { ...unlimited, threads: 2 });
      alone.markConnected();
      const released = follow(alone.whenAllConnected());
      await vi.advanceTimersByTimeAsync(1_000);
      expect(released.settled).toBe(false);
      alone.stop();
      await vi.advanceTimersByTimeAsync(5);
      expect(released.settled).toBe(true);
    });

    it('counts the duration from the first claim, not from construction', async () => {
      const gate = new WorkGate(WorkGate.createBuffer(), { ...unlimited, durationMs: 50 });
      vi.advanceTimersByTime(80);
      const firstClaimAt = nowMicros();
      expect(await gate.claim(1)).toBe(1);
      expect(gate.startedAtMicros).toBe(firstClaimAt);
      vi.advanceTimersByTime(49);
      expect(await gate.claim(1)).toBe(1);
      vi.advanceTimersByTime(1);
      expect(await gate.claim(1)).toBe(0);
    });
  });
});
