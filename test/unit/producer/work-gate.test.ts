import { describe, expect, it } from 'vitest';
import { WorkGate } from '../../../producer/work-gate.js';

describe('WorkGate', () => {
  it('hands out exactly --count messages however the claims interleave', async () => {
    const buffer = WorkGate.createBuffer();
    // Two gates on one buffer stand for two threads.
    const gates = [
      new WorkGate(buffer, { threads: 1, count: 1_003, ratePerSecond: undefined, durationMs: undefined }),
      new WorkGate(buffer, { threads: 1, count: 1_003, ratePerSecond: undefined, durationMs: undefined }),
    ];
    let total = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, task) => {
        for (;;) {
          const granted = await gates[task % 2]!.claim(10);
          if (granted === 0) return;
          total += granted;
        }
      }),
    );
    expect(total).toBe(1_003);
  });

  it('stops handing out work once stopped, for every thread', async () => {
    const buffer = WorkGate.createBuffer();
    const first = new WorkGate(buffer, { threads: 1, count: 0, ratePerSecond: undefined, durationMs: undefined });
    const second = new WorkGate(buffer, { threads: 1, count: 0, ratePerSecond: undefined, durationMs: undefined });
    expect(await second.claim(5)).toBe(5);
    first.stop();
    expect(second.stopped).toBe(true);
    expect(await second.claim(5)).toBe(0);
  });

  it('paces claims to --rate and ends at --duration', async () => {
    const gate = new WorkGate(WorkGate.createBuffer(), { threads: 1, count: 0, ratePerSecond: 1_000, durationMs: 300 });
    const startedAt = performance.now();
    let total = 0;
    for (;;) {
      const granted = await gate.claim(10);
      if (granted === 0) break;
      total += granted;
    }
    const elapsedMs = performance.now() - startedAt;
    expect(total).toBeGreaterThanOrEqual(280);
    expect(total).toBeLessThanOrEqual(320);
    expect(elapsedMs).toBeGreaterThanOrEqual(250);
  });

  it('sends every slot booked before the deadline, however many tasks share the rate', async () => {
    const buffer = WorkGate.createBuffer();
    const limits = { threads: 2, count: 0, ratePerSecond: 2_000, durationMs: 400 };
    const gates = [new WorkGate(buffer, limits), new WorkGate(buffer, limits)];
    let total = 0;
    await Promise.all(
      Array.from({ length: 32 }, async (_, task) => {
        for (;;) {
          const granted = await gates[task % 2]!.claim(20);
          if (granted === 0) return;
          total += granted;
        }
      }),
    );
    // 32 tasks book up to 320 ms ahead: a deadline that stopped them all would leave about 640 unsent.
    expect(total).toBeGreaterThanOrEqual(760);
    expect(total).toBeLessThanOrEqual(820);
  });

  it('notices a stop within about 100 ms, even while waiting for a slot 5 s away', async () => {
    const gate = new WorkGate(WorkGate.createBuffer(), { threads: 1, count: 0, ratePerSecond: 0.2, durationMs: undefined });
    expect(await gate.claim(1)).toBe(1);
    const startedAt = performance.now();
    const waiting = gate.claim(5);
    setTimeout(() => gate.stop(), 50);
    expect(await waiting).toBe(0);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
  });

  it('lets no thread start before every thread is connected, unless a stop is requested', async () => {
    const buffer = WorkGate.createBuffer();
    const limits = { threads: 2, count: 0, ratePerSecond: undefined, durationMs: undefined };
    const [first, second] = [new WorkGate(buffer, limits), new WorkGate(buffer, limits)];
    let released = false;
    first.markConnected();
    const waiting = first.whenAllConnected().then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(released).toBe(false);
    second.markConnected();
    await waiting;

    const alone = new WorkGate(WorkGate.createBuffer(), limits);
    alone.markConnected();
    const stopped = alone.whenAllConnected();
    alone.stop();
    await stopped;
  });

  it('counts the duration from the first claim, not from construction', async () => {
    const gate = new WorkGate(WorkGate.createBuffer(), { threads: 1, count: 0, ratePerSecond: undefined, durationMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await gate.claim(1)).toBe(1);
    expect(gate.startedAtMicros).toBeGreaterThan(0);
  });
});
