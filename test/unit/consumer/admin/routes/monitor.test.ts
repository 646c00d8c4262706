import { describe, expect, it } from 'vitest';
import type { PartitionLag } from '../../../../../consumer/admin/lag-service.js';
import { offsetsByTopic } from '../../../../../consumer/admin/routes/monitor.js';

const row = (topic: string, partition: number, current_offset: number | null): PartitionLag => ({
  group: 'g',
  topic,
  partition,
  current_offset,
  log_end_offset: 10,
  lag: current_offset === null ? null : 10 - current_offset,
  status: 'OK',
  estimated_lag_seconds: null,
});

describe('offsetsByTopic', () => {
  it('groups committed offsets by topic and partition, leaving out partitions without a commit', () => {
    expect(JSON.parse(JSON.stringify(offsetsByTopic([row('orders', 0, 4), row('orders', 1, null), row('audit', 2, 7)])))).toEqual({
      orders: { 0: 4 },
      audit: { 2: 7 },
    });
  });

  // KafkaJS itself cannot read such a topic's offsets (its own maps are plain objects), so no broker test reaches this.
  it('keeps a topic named __proto__ as a key like any other, never writing onto a prototype', () => {
    const offsets = offsetsByTopic([row('__proto__', 1, 3)]);
    expect(JSON.parse(JSON.stringify(offsets))).toEqual(JSON.parse('{"__proto__":{"1":3}}'));
    expect(Object.getOwnPropertyDescriptor(offsets, '__proto__')?.value).toEqual({ 1: 3 });
    expect(({} as Record<string, unknown>)['1']).toBeUndefined();
  });
});
