/**
 * GET /readyz: whether a broker answers. Probes come often and from several places at once, so one
 * answer serves every request for a while, and requests that come while a check is running share it
 * instead of each opening a connection to Kafka.
 */
import { createKafka } from '../../shared/kafka-client.js';
import type { Logger } from '../../shared/logger.js';

export interface CachedCheckOptions {
  /** How long an answer is reused, ms. */
  maxAgeMs: number;
  /** Clock in ms; tests pass their own. */
  now?: () => number;
}

/** `check` run at most once at a time, its answer reused for `maxAgeMs`. */
export function cachedCheck(check: () => Promise<boolean>, options: CachedCheckOptions): () => Promise<boolean> {
  const { maxAgeMs, now = Date.now } = options;
  let last: { atMs: number; ready: boolean } | undefined;
  let running: Promise<boolean> | undefined;
  return () => {
    if (last && now() - last.atMs < maxAgeMs) return Promise.resolve(last.ready);
    running ??= check()
      .catch(() => false)
      .then((ready) => {
        last = { atMs: now(), ready };
        running = undefined;
        return ready;
      });
    return running;
  };
}

/** Connects to the brokers and asks for the cluster's description; false on any failure. */
export async function brokersAnswer(brokers: readonly string[], log: Logger): Promise<boolean> {
  const admin = createKafka({ clientId: 'harness-admin-ready', brokers, log, connectionTimeoutMs: 1_000, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
