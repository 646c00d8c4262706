/**
 * Moves a group's committed offsets before its consumers start (-o beginning|end|<n>). KafkaJS's
 * admin.setOffsets does this through a paused consumer that waits a whole fetch cycle (5 s); here a
 * short-lived member joins, commits the offsets as soon as it is in the group, and leaves.
 * Only the children's assignment protocol works for it: in static mode every member must speak it.
 */
import type { Admin } from 'kafkajs';
import { UsageError } from '../../shared/errors.js';
import { createConsumer, type KafkaClient } from '../../shared/kafka-client.js';
import { createStaticAssigner } from './static-assigner.js';

/** Where a group starts reading: its own commits, or a position that is committed for it first. */
export type StartOffset = { kind: 'stored' } | { kind: 'beginning' } | { kind: 'end' } | { kind: 'offset'; offset: bigint };

/** The offset each partition should start from, clamped to what the log holds (as Kafka's tools do). */
export async function targetOffsets(
  admin: Admin,
  topic: string,
  start: Exclude<StartOffset, { kind: 'stored' }>,
): Promise<{ partition: number; offset: string }[]> {
  const ranges = await admin.fetchTopicOffsets(topic);
  return ranges.map(({ partition, low, high }) => {
    const [lowest, highest] = [BigInt(low), BigInt(high)];
    const wanted = start.kind === 'beginning' ? lowest : start.kind === 'end' ? highest : start.offset;
    const offset = wanted < lowest ? lowest : wanted > highest ? highest : wanted;
    return { partition, offset: offset.toString() };
  });
}

export async function commitGroupOffsets(
  kafka: KafkaClient,
  admin: Admin,
  groupId: string,
  topic: string,
  start: Exclude<StartOffset, { kind: 'stored' }>,
): Promise<void> {
  const { groups } = await admin.describeGroups([groupId]);
  const state = groups[0]?.state ?? 'Dead';
  if (state !== 'Empty' && state !== 'Dead') {
    const which = start.kind === 'offset' ? String(start.offset) : start.kind;
    throw new UsageError(
      `-o ${which} moves the offsets of group "${groupId}", which has running members (${state}): stop them first, or use another group with -G`,
    );
  }
  const offsets = await targetOffsets(admin, topic, start);
  // A member of its own for a moment: the group is empty again once it leaves, so the children may
  // then join with either assignment protocol.
  const consumer = createConsumer(kafka, {
    groupId,
    maxWaitTimeInMs: 100,
    partitionAssigners: [
      createStaticAssigner(
        topic,
        offsets.map((entry) => entry.partition),
      ),
    ],
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    // Nothing is processed or resolved, so whatever it fetches meanwhile is left for the children.
    // run() must have returned before disconnecting, or KafkaJS's runner rejoins as it finishes starting.
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} });
    await joined;
    await consumer.commitOffsets(offsets.map((entry) => ({ topic, ...entry })));
  } finally {
    await consumer.disconnect();
  }
}
