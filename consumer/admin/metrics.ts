/**
 * GET /metrics for Prometheus: process metrics, the lag of every group the consumers use (named as
 * kafka-lag-exporter names them, so existing dashboards work), and per-consumer counts. Values are
 * read when scraped, from what the server already knows: a scrape never waits on Kafka.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConsumerManager } from './consumer-manager.js';
import type { LagService } from './lag-service.js';
import { allowedConsumerStatuses } from './schemas.js';

export function createMetrics(manager: ConsumerManager, lag: LagService): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'kafka_consumergroup_group_lag',
    help: 'Messages between the committed offset and the log end offset, per partition',
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const partition of lag.snapshot()) {
        if (partition.lag !== null) this.set({ group: partition.group, topic: partition.topic, partition: String(partition.partition) }, partition.lag);
      }
    },
  });

  new Gauge({
    name: 'kafka_consumergroup_group_lag_seconds',
    help: 'Estimated time to consume the lag at the recent consumption rate, per partition',
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const partition of lag.snapshot()) {
        if (partition.estimated_lag_seconds !== null) {
          this.set({ group: partition.group, topic: partition.topic, partition: String(partition.partition) }, partition.estimated_lag_seconds);
        }
      }
    },
  });

  new Counter({
    name: 'harness_consumer_messages_processed_total',
    help: 'Messages a managed consumer wrote to all its sinks',
    labelNames: ['consumer'],
    registers: [registry],
    collect() {
      this.reset();
      for (const consumer of manager.list()) this.inc({ consumer: consumer.definition.name }, consumer.totals.processed);
    },
  });

  new Counter({
    name: 'harness_consumer_messages_failed_total',
    help: 'Messages a managed consumer dead-lettered',
    labelNames: ['consumer'],
    registers: [registry],
    collect() {
      this.reset();
      for (const consumer of manager.list()) this.inc({ consumer: consumer.definition.name }, consumer.totals.failed);
    },
  });

  new Gauge({
    name: 'harness_consumer_status',
    help: '1 for the status each managed consumer is in',
    labelNames: ['consumer', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const consumer of manager.list()) {
        for (const status of allowedConsumerStatuses) this.set({ consumer: consumer.definition.name, status }, consumer.status === status ? 1 : 0);
      }
    },
  });

  return registry;
}
