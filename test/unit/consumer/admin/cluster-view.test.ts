import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { ClusterView, type LiveMessage } from '../../../../consumer/admin/cluster-view.js';
import { createRootLogger } from '../../../../shared/logger.js';

const log = createRootLogger({ level: 'silent' });

/** A port nothing listens on: bound, then closed, so a connection is refused at once. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('ClusterView', () => {
  it('says since when the broker does not answer, with no snapshot and a gap in the history, not zeros; stops polling when the last page leaves', async () => {
    const view = new ClusterView({ brokers: [`127.0.0.1:${await deadPort()}`], log, adminConsumers: () => [], intervalMs: 200 });
    onTestFinished(() => view.close());
    const messages: LiveMessage[] = [];
    const before = Date.now();
    const stop = view.watch('orders', (message) => messages.push(message));
    expect(view.activePollers).toBe(1);
    await vi.waitFor(() => expect(messages.length).toBeGreaterThanOrEqual(2), { timeout: 60_000, interval: 100 });
    const [first, second] = messages;
    expect(first?.snapshot).toBeNull();
    expect(first?.updatedAtMs).toBeNull();
    expect(first?.unreachable?.sinceMs).toBeGreaterThanOrEqual(before);
    // The first failure's time is kept while the broker stays away.
    expect(second?.unreachable?.sinceMs).toBe(first?.unreachable?.sinceMs);
    expect(first?.history).toEqual([{ atMs: expect.any(Number), inPerSecond: null, groups: {} }]);
    stop();
    expect(view.activePollers).toBe(0);
    const seen = messages.length;
    // Three intervals: a poller still running would have sent three more by now; only the poll in flight at stop() may still report.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(messages.length).toBeLessThanOrEqual(seen + 1);
  });

  it('rejects a one-off read when the broker does not answer', async () => {
    const view = new ClusterView({ brokers: [`127.0.0.1:${await deadPort()}`], log, adminConsumers: () => [] });
    onTestFinished(() => view.close());
    await expect(view.current('orders')).rejects.toThrow();
  });
});
