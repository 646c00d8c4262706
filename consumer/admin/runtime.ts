/**
 * The Node view of the earlier design's "thread monitor": each consumer's state, and the process's
 * event-loop delay, active handles, memory and uptime. Consumers here are not threads but objects on
 * one event loop, so a busy loop (high delay) is what a stuck thread used to be.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ConsumerManager } from './consumer-manager.js';

let histogram: IntervalHistogram | undefined;

/** Starts measuring the event-loop delay (call when the server starts, so the figures cover its life). */
export function eventLoopDelay(): IntervalHistogram {
  if (!histogram) {
    histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
  }
  return histogram;
}

const ms = (nanoseconds: number): number => Math.round(nanoseconds / 10_000) / 100;
const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

export function runtimeReport(manager: ConsumerManager) {
  const delay = eventLoopDelay();
  const memory = process.memoryUsage();
  const handles: Record<string, number> = {};
  for (const resource of process.getActiveResourcesInfo()) handles[resource] = (handles[resource] ?? 0) + 1;
  return {
    pid: process.pid,
    uptime_seconds: Math.round(process.uptime()),
    node: process.version,
    event_loop_delay_ms: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
    active_handles: handles,
    memory_mib: { rss: mib(memory.rss), heap_used: mib(memory.heapUsed), heap_total: mib(memory.heapTotal), external: mib(memory.external) },
    consumers: manager.list().map((consumer) => {
      const stats = consumer.stats.snapshot();
      return {
        id: consumer.id,
        name: consumer.definition.name,
        status: consumer.status,
        alive: consumer.status === 'ACTIVE' || consumer.status === 'PAUSED',
        uptime_seconds: Math.round(consumer.uptimeSeconds),
        partitions: consumer.partitions,
        messages_processed: stats.messages_processed,
        messages_failed: stats.messages_failed,
        paused_partitions: stats.paused_partitions,
      };
    }),
  };
}
