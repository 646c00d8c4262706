/** How a managed consumer looks in API responses (credentials never appear: they are not in definitions). */
import type { ManagedConsumer } from './managed-consumer.js';
import type { PartitionLag } from './lag-service.js';
import type { ConsumerView } from './schemas.js';

export function toLagView(partitions: readonly PartitionLag[]): ConsumerView['lag'] {
  return Object.fromEntries(
    partitions.map((partition) => [
      String(partition.partition),
      {
        current_offset: partition.current_offset,
        log_end_offset: partition.log_end_offset,
        lag: partition.lag,
        status: partition.status,
        estimated_lag_seconds: partition.estimated_lag_seconds,
      },
    ]),
  );
}

/** Lag rows by group and topic, so a list of consumers looks up its rows instead of scanning them all. */
export function indexLag(lag: readonly PartitionLag[]): Map<string, PartitionLag[]> {
  const index = new Map<string, PartitionLag[]>();
  for (const partition of lag) {
    const key = `${partition.group}\u0000${partition.topic}`;
    const rows = index.get(key);
    if (rows) rows.push(partition);
    else index.set(key, [partition]);
  }
  return index;
}

export function toView(consumer: ManagedConsumer, lag: readonly PartitionLag[] | Map<string, PartitionLag[]>): ConsumerView {
  const { definition } = consumer;
  const stats = consumer.stats.snapshot();
  const ownLag =
    lag instanceof Map
      ? (lag.get(`${definition.group}\u0000${definition.topic}`) ?? [])
      : lag.filter((partition) => partition.group === definition.group && partition.topic === definition.topic);
  return {
    id: definition.id,
    name: definition.name,
    brokers: definition.brokers,
    topic: definition.topic,
    group: definition.group,
    sinks: definition.sinks,
    status: definition.status,
    createdAt: definition.createdAt,
    updatedAt: definition.updatedAt,
    lastError: definition.lastError,
    stats: {
      processed: stats.messages_processed,
      failed: stats.messages_failed,
      rate: consumer.stats.recentRatePerSecond(),
      dead_lettered: stats.dead_lettered,
      retries: stats.retries,
    },
    lag: toLagView(ownLag),
  };
}
