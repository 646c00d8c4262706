import type { Admin } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LagService } from '../../../../consumer/admin/lag-service.js';
import { createRootLogger } from '../../../../shared/logger.js';

const log = createRootLogger({ level: 'silent' });

/**
 * A stand-in for a KafkaJS admin client: the service's failures around close() need a describe to
 * be in flight at a chosen moment, which a real broker can't be made to do. Every group has offset
 * 5 of 10 committed on partition 0 of topic "t".
 */
function stubAdmin(hold?: Promise<void>): Admin {
  return {
    describeGroups: async () => {
      await hold;
      return { groups: [] };
    },
    fetchOffsets: async () => [{ topic: 't', partitions: [{ partition: 0, offset: '5' }] }],
    fetchTopicOffsets: async () => [{ partition: 0, offset: '10', high: '10', low: '0' }],
    disconnect: async () => {},
  } as unknown as Admin;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('LagService', () => {
  it('neither connects nor polls again once closed, even with a poll in flight', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let release: () => void = () => {};
    const hold = new Promise<void>((resolve) => (release = resolve));
    const connected: string[] = [];
    const lag = new LagService({
      log,
      connectAdmin: async (brokers) => {
        connected.push(brokers.join(','));
        return stubAdmin(hold);
      },
    });
    let polls = 0;
    lag.startPolling(() => {
      polls += 1;
      return [
        { brokers: ['a:9092'], group: 'g1', topic: 't' },
        { brokers: ['b:9092'], group: 'g2', topic: 't' },
      ];
    }, 1_000);
    await vi.waitFor(() => expect(connected).toEqual(['a:9092']));

    await lag.close();
    release();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(connected).toEqual(['a:9092']);
    expect(polls).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    await expect(lag.describe(['a:9092'], 'g1')).rejects.toThrow(/closed/);
  });

  it('shows only the polled groups in snapshot() (what /metrics exports), and forgets other groups after the TTL', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const lag = new LagService({ log, connectAdmin: async () => stubAdmin(), unmanagedTtlMs: 60_000 });
    lag.startPolling(() => [{ brokers: ['a:9092'], group: 'managed', topic: 't' }], 5_000);
    await vi.waitFor(() => expect(lag.snapshot()).toHaveLength(1));

    // What GET /api/monitor/consumer-group-lag?group_id=… does for a group no consumer of the server uses.
    expect(await lag.describe(['a:9092'], 'asked-once', 't')).toMatchObject([{ group: 'asked-once', lag: 5 }]);
    expect(lag.snapshot().map((partition) => partition.group)).toEqual(['managed']);

    // Asked again within the TTL: the samples were kept, so Burrow's rules see a lag that never moved.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await lag.describe(['a:9092'], 'asked-once', 't')).toMatchObject([{ lag: 5, status: 'STOP' }]);
    // Not asked for longer than the TTL: forgotten, so the next answer starts a new window.
    await vi.advanceTimersByTimeAsync(70_000);
    expect(await lag.describe(['a:9092'], 'asked-once', 't')).toMatchObject([{ lag: 5, status: 'OK' }]);
    expect(lag.snapshot().map((partition) => partition.group)).toEqual(['managed']);
    await lag.close();
  });
});
