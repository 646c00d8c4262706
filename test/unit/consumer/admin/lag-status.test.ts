import { describe, expect, it } from 'vitest';
import {
  allowedLagStatuses,
  LagHistory,
  lagKey,
  LagStatuses,
  unknownLag,
  type LagHistoryOptions,
  type LagSample,
} from '../../../../consumer/admin/lag-status.js';

const key = lagKey('orders-app', 'orders', 0);

/** A sample `atS` seconds in, with the lag computed as the admin server does. */
const sample = (atS: number, offset: number, logEndOffset: number): LagSample => ({ atMs: atS * 1000, offset, logEndOffset, lag: logEndOffset - offset });

function historyOf(samples: readonly LagSample[], options: LagHistoryOptions = {}): LagHistory {
  const history = new LagHistory(options);
  for (const entry of samples) history.record(key, entry);
  return history;
}

describe('LagHistory.evaluate', () => {
  it('is OK with no samples, and says so', () => {
    expect(new LagHistory().evaluate(key, 0)).toEqual({ status: 'OK', reason: 'no samples yet', lag: null, estimatedLagSeconds: null, samples: [] });
  });

  it('warns when the latest log-end offset is unknown (lag -1), even after a zero lag', () => {
    const history = historyOf([sample(0, 100, 100), { atMs: 10_000, offset: 110, logEndOffset: -1, lag: unknownLag }]);
    expect(history.evaluate(key, 10_000)).toMatchObject({
      status: LagStatuses.warn,
      reason: expect.stringMatching(/log-end offset is unknown/),
      lag: null,
      estimatedLagSeconds: null,
    });
  });

  it('is OK whenever the current lag is zero, however long ago the last commit and whatever came before', () => {
    const history = historyOf([sample(0, 0, 50), sample(10, 10, 70), sample(20, 20, 90), sample(30, 90, 90)]);
    expect(history.evaluate(key, 1_000_000)).toMatchObject({ status: 'OK', reason: expect.stringMatching(/caught up/), lag: 0, estimatedLagSeconds: 0 });
  });

  it('waits for a second poll before judging one sample, then calls it STOP if nothing moved', () => {
    const history = historyOf([sample(0, 100, 150)]);
    expect(history.evaluate(key, 60_000)).toMatchObject({ status: 'OK', reason: expect.stringMatching(/one sample/), lag: 50, estimatedLagSeconds: null });
    expect(history.record(key, sample(5, 100, 150))).toBe(false);
    expect(history.evaluate(key, 5_000)).toMatchObject({ status: 'STOP' });
  });

  describe('STOP', () => {
    // Offsets move and the lag grows by 10 per step: WARN while the consumer is still heard from.
    const window = [sample(0, 0, 100), sample(10, 10, 120), sample(20, 20, 140)];

    it('needs the time since the last commit to exceed the window span strictly', () => {
      const history = historyOf(window);
      expect(history.evaluate(key, 40_000).status).toBe('WARN');
      expect(history.evaluate(key, 40_001)).toMatchObject({ status: 'STOP', reason: 'no progress for 20 s, longer than the 20 s the window spans', lag: 120 });
    });

    it('is excused while a recent log-end offset is one the consumer has reached (≤, not <)', () => {
      const reached = historyOf([sample(0, 0, 30), sample(10, 20, 40), sample(20, 30, 50)], { windowSize: 3 });
      expect(reached.evaluate(key, 100_000)).toMatchObject({ status: 'OK', reason: expect.stringMatching(/shrinks/) });
      const missedByOne = historyOf([sample(0, 0, 31), sample(10, 20, 40), sample(20, 30, 50)], { windowSize: 3 });
      expect(missedByOne.evaluate(key, 100_000).status).toBe('STOP');
    });

    it('loses that excuse once unchanged polls push the old log-end offset out', () => {
      const history = historyOf([sample(0, 0, 30), sample(10, 20, 40), sample(20, 30, 50)], { windowSize: 3 });
      expect(history.record(key, sample(30, 30, 50))).toBe(false);
      expect(history.evaluate(key, 100_000).status).toBe('STOP');
      expect(history.evaluate(key, 100_000).samples).toHaveLength(3);
    });

    it('comes before an old zero lag in the window (Burrow #292)', () => {
      const history = historyOf([sample(0, 100, 100), sample(10, 100, 150)], { windowSize: 3 });
      expect(history.evaluate(key, 10_000)).toMatchObject({ status: 'OK', reason: expect.stringMatching(/zero within the window/) });
      for (const atS of [20, 30, 40]) history.record(key, sample(atS, 100, 150));
      expect(history.evaluate(key, 40_000)).toMatchObject({ status: 'STOP', reason: 'no progress for 30 s, longer than the 10 s the window spans' });
    });
  });

  it('is OK when the lag was zero anywhere in the window, but not when it was 1', () => {
    expect(historyOf([sample(0, 100, 100), sample(10, 100, 120), sample(20, 100, 140)]).evaluate(key, 20_000).status).toBe('OK');
    expect(historyOf([sample(0, 100, 101), sample(10, 100, 120), sample(20, 100, 140)]).evaluate(key, 20_000).status).toBe('STALL');
  });

  it('calls STALL a committed offset that does not move while the lag grows, but not one that moves by 1', () => {
    const stalled = historyOf([sample(0, 100, 110), sample(10, 100, 120), sample(20, 100, 140)]).evaluate(key, 20_000);
    expect(stalled).toMatchObject({ status: 'STALL', reason: 'the committed offset stays at 100 while the lag is 40', lag: 40, estimatedLagSeconds: null });
    expect(historyOf([sample(0, 100, 110), sample(10, 101, 120), sample(20, 101, 140)]).evaluate(key, 20_000).status).toBe('WARN');
  });

  describe('WARN for a consumer falling behind', () => {
    it('when offsets move but the lag never drops, steady steps included', () => {
      const history = historyOf([sample(0, 0, 100), sample(10, 50, 150), sample(20, 100, 200), sample(30, 150, 251)]);
      expect(history.evaluate(key, 30_000)).toMatchObject({ status: 'WARN', reason: expect.stringMatching(/never shrinks/), lag: 101 });
    });

    it('but OK when the lag drops once, by 1', () => {
      const history = historyOf([sample(0, 0, 100), sample(10, 50, 150), sample(20, 100, 199), sample(30, 150, 251)]);
      expect(history.evaluate(key, 30_000)).toMatchObject({ status: 'OK', reason: 'the lag shrinks within the window' });
    });

    it('skipping samples without a log-end offset rather than reading -1 as a drop', () => {
      const history = historyOf([sample(0, 0, 100), { atMs: 10_000, offset: 50, logEndOffset: -1, lag: unknownLag }, sample(20, 100, 220)]);
      expect(history.evaluate(key, 20_000).status).toBe('WARN');
    });
  });
});

describe('estimatedLagSeconds', () => {
  it('divides the lag by the commit rate over the window, which falls while nothing is committed', () => {
    const history = historyOf([sample(0, 0, 100), sample(10, 100, 250)]);
    expect(history.evaluate(key, 10_000).estimatedLagSeconds).toBe(15);
    history.record(key, sample(20, 100, 250));
    expect(history.evaluate(key, 20_000).estimatedLagSeconds).toBe(30);
  });

  it('is 0 at zero lag and null when the rate is zero or unknown', () => {
    expect(historyOf([sample(0, 100, 100)]).evaluate(key, 0).estimatedLagSeconds).toBe(0);
    expect(historyOf([sample(0, 100, 150)]).evaluate(key, 0).estimatedLagSeconds).toBeNull();
    expect(historyOf([sample(0, 100, 150), sample(10, 100, 170)]).evaluate(key, 10_000).estimatedLagSeconds).toBeNull();
  });
});

describe('LagHistory.record', () => {
  it('keeps the last windowSize samples per partition (10 by default)', () => {
    const history = new LagHistory();
    for (let index = 0; index < 25; index += 1) history.record(key, sample(index, index * 10, index * 10 + 5));
    const { samples } = history.evaluate(key, 25_000);
    expect(samples).toHaveLength(10);
    expect(samples[0]?.atMs).toBe(15_000);
    expect(samples.at(-1)?.atMs).toBe(24_000);

    const small = new LagHistory({ windowSize: 3 });
    for (let index = 0; index < 5; index += 1) small.record(key, sample(index, index, index + 1));
    expect(small.evaluate(key, 5_000).samples.map((entry) => entry.offset)).toEqual([2, 3, 4]);
  });

  it('leaves out a sample where neither offset moved, or that is not newer, but keeps one where only the log end moved', () => {
    const history = new LagHistory();
    expect(history.record(key, sample(0, 100, 150))).toBe(true);
    expect(history.record(key, sample(10, 100, 150))).toBe(false);
    expect(history.record(key, sample(20, 100, 160))).toBe(true);
    expect(history.record(key, sample(15, 120, 170))).toBe(false);
    expect(history.record(key, sample(20, 120, 170))).toBe(false);
    expect(history.evaluate(key, 20_000).samples).toEqual([sample(0, 100, 150), sample(20, 100, 160)]);
  });

  it('does not let a caller change the window through a sample it passed in or got back', () => {
    const history = new LagHistory();
    const entry = sample(0, 100, 150);
    history.record(key, entry);
    entry.offset = 0;
    const returned = history.evaluate(key, 0).samples[0] as LagSample;
    returned.offset = 1;
    expect(history.evaluate(key, 0).samples[0]?.offset).toBe(100);
  });

  it('rejects a window too small to show a trend', () => {
    expect(() => new LagHistory({ windowSize: 1 })).toThrow('windowSize (1) must be a whole number of at least 2');
    expect(() => new LagHistory({ windowSize: 2.5 })).toThrow(/windowSize \(2\.5\)/);
    expect(new LagHistory({ windowSize: 2 }).windowSize).toBe(2);
  });
});

describe('LagHistory.forget', () => {
  it('drops one partition by key, or a whole topic or group by prefix, without touching look-alike names', () => {
    const history = new LagHistory();
    const keys = [lagKey('orders', 't', 1), lagKey('orders', 't', 10), lagKey('orders', 'u', 0), lagKey('orders-2', 't', 1)];
    for (const each of keys) history.record(each, sample(0, 1, 2));

    expect(history.forget(lagKey('orders', 't', 1))).toBe(1);
    expect(history.keys()).toEqual(keys.slice(1));
    expect(history.evaluate(lagKey('orders', 't', 1), 0).reason).toBe('no samples yet');
    expect(history.forget(lagKey('orders', 't'))).toBe(1);
    expect(history.forget(lagKey('orders'))).toBe(1);
    expect(history.keys()).toEqual([lagKey('orders-2', 't', 1)]);
    expect(history.forget(lagKey('nobody'))).toBe(0);
  });
});

it('lists every status', () => {
  expect(allowedLagStatuses).toEqual(['OK', 'WARN', 'STALL', 'STOP']);
});
