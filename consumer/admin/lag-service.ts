/**
 * Lag of the groups the admin server's consumers use: the numbers of kafka-consumer-groups
 * --describe (consumer/lag.ts), a status per partition by Burrow's rules over the recent samples,
 * and an estimate in seconds. Polled in the background so the status has a window to judge, and so
 * /metrics never waits on the broker.
 */
import type { Admin } from 'kafkajs';
import { ErrorCodes, HarnessError } from '../../shared/errors.js';
import { connectClient, createKafka } from '../../shared/kafka-client.js';
import type { Logger } from '../../shared/logger.js';
import { describeGroupLag } from '../engine/lag.js';
import { LagHistory, lagKey } from './lag-status.js';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  current_offset: number | null;
  log_end_offset: number;
  lag: number | null;
  status: string;
  estimated_lag_seconds: number | null;
}

export interface LagTarget {
  brokers: readonly string[];
  group: string;
  topic: string;
}

export interface LagServiceOptions {
  log: Logger;
  /** Makes a connected admin client for a broker list; default a KafkaJS one (tests pass a stub). */
  connectAdmin?: (brokers: readonly string[]) => Promise<Admin>;
  /**
   * How long the samples of a group no consumer uses (asked for through /api/monitor) are kept after
   * the last question, ms; default 10 minutes. Long enough for a monitor that polls to get Burrow
   * statuses, short enough that asking about every group the broker has doesn't grow the cache for ever.
   */
  unmanagedTtlMs?: number;
}

function connectKafkaAdmin(brokers: readonly string[], log: Logger): Promise<Admin> {
  const client = createKafka({ clientId: 'harness-admin-lag', brokers, log }).admin();
  return connectClient(client, brokers).then(() => client);
}

export class LagService {
  readonly #log: Logger;
  readonly #connectAdmin: (brokers: readonly string[]) => Promise<Admin>;
  readonly #unmanagedTtlMs: number;
  readonly #admins = new Map<string, Promise<Admin>>();
  readonly #history = new LagHistory();
  readonly #latest = new Map<string, PartitionLag>();
  /** When each group and topic was last described, to drop the ones nobody asks about any more. */
  readonly #describedAt = new Map<string, { group: string; topic: string; atMs: number }>();
  #targets: () => LagTarget[] = () => [];
  #timer: NodeJS.Timeout | undefined;
  #closed: boolean = false;

  constructor(options: LagServiceOptions) {
    this.#log = options.log;
    this.#connectAdmin = options.connectAdmin ?? ((brokers) => connectKafkaAdmin(brokers, this.#log));
    this.#unmanagedTtlMs = options.unmanagedTtlMs ?? 10 * 60_000;
  }

  /** One connected admin client per broker list, made on first use. */
  #admin(brokers: readonly string[]): Promise<Admin> {
    // A closed service must not open connections that nothing will close.
    if (this.#closed) return Promise.reject(new HarnessError(ErrorCodes.closed, 'the lag service is closed'));
    // Code-unit order, as sort() without a comparator: the same brokers in any order share one client.
    const key = [...brokers].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(',');
    let admin = this.#admins.get(key);
    if (!admin) {
      admin = this.#connectAdmin(brokers);
      admin.catch(() => this.#admins.delete(key));
      this.#admins.set(key, admin);
    }
    return admin;
  }

  /** The group's lag now (recorded as a sample), each partition with its status. */
  async describe(brokers: readonly string[], group: string, topic?: string): Promise<PartitionLag[]> {
    const admin = await this.#admin(brokers);
    const { rows } = await describeGroupLag(admin, group, topic);
    const now = Date.now();
    return rows.map((row) => {
      const key = lagKey(row.group, row.topic, row.partition);
      this.#describedAt.set(lagKey(row.group, row.topic), { group: row.group, topic: row.topic, atMs: now });
      if (row.currentOffset !== null && row.lag !== null) {
        this.#history.record(key, { atMs: now, offset: row.currentOffset, logEndOffset: row.logEndOffset, lag: row.lag });
      }
      const evaluation = this.#history.evaluate(key, now);
      const partition: PartitionLag = {
        group: row.group,
        topic: row.topic,
        partition: row.partition,
        current_offset: row.currentOffset,
        log_end_offset: row.logEndOffset,
        lag: row.lag,
        status: evaluation.status,
        estimated_lag_seconds: evaluation.estimatedLagSeconds ?? (row.lag === 0 ? 0 : null),
      };
      this.#latest.set(key, partition);
      return partition;
    });
  }

  /**
   * Samples every target every `intervalMs`, for the statuses, the consumer views and /metrics. The
   * targets are spread over the interval rather than described back to back: a hundred groups in a
   * row (four requests each) kept the event loop busy for a few hundred milliseconds every interval,
   * and the API's requests waited behind them.
   */
  startPolling(targets: () => LagTarget[], intervalMs: number): void {
    this.#targets = targets;
    const waitUntil = (atMs: number): Promise<void> =>
      new Promise((resolve) => {
        // close() clears this timer: the poll then never resumes, and holds nothing open.
        this.#timer = setTimeout(resolve, Math.max(0, atMs - Date.now()));
        this.#timer.unref();
      });
    const poll = async (): Promise<void> => {
      const startedAtMs = Date.now();
      const seen = new Set<string>();
      const all = targets();
      const spacingMs = intervalMs / Math.max(all.length, 1);
      for (const [index, target] of all.entries()) {
        const id = lagKey(target.group, target.topic);
        if (seen.has(id)) continue;
        seen.add(id);
        // close() may have come while the previous describe was waiting on the broker.
        if (this.#closed) return;
        if (index > 0) await waitUntil(startedAtMs + index * spacingMs);
        if (this.#closed) return;
        await this.describe(target.brokers, target.group, target.topic).catch((error: unknown) =>
          this.#log.debug({ err: error, group: target.group }, 'lag poll failed'),
        );
      }
      this.#dropUnused(seen);
      if (this.#closed) return;
      // A poll that took longer than the interval (a slow broker) still leaves a gap before the next.
      await waitUntil(Math.max(startedAtMs + intervalMs, Date.now() + spacingMs));
      void poll();
    };
    void poll();
  }

  /** The last known lag of each partition of the polled targets (not of groups only asked about once). */
  snapshot(): PartitionLag[] {
    const tracked = new Set(this.#targets().map((target) => lagKey(target.group, target.topic)));
    return [...this.#latest.values()].filter((partition) => tracked.has(lagKey(partition.group, partition.topic)));
  }

  /** Forgets the groups and topics that are neither targets nor asked about within the TTL. */
  #dropUnused(targets: ReadonlySet<string>): void {
    const oldest = Date.now() - this.#unmanagedTtlMs;
    for (const [id, { group, topic, atMs }] of this.#describedAt) {
      if (targets.has(id) || atMs >= oldest) continue;
      this.#describedAt.delete(id);
      this.#history.forget(id);
      for (const [key, partition] of this.#latest) if (partition.group === group && partition.topic === topic) this.#latest.delete(key);
    }
  }

  /** Stops polling and disconnects; a describe afterwards fails. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const admins = [...this.#admins.values()];
    this.#admins.clear();
    for (const admin of admins) await (await admin.catch(() => undefined))?.disconnect();
  }
}
