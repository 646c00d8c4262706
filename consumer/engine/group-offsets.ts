/**
 * Moves a group's committed offsets before its consumers start (-o beginning|end|<n>), or from the
 * admin's dashboard (beginning, end, an offset or a timestamp, previewed first). KafkaJS's
 * admin.setOffsets does this through a paused consumer that waits a whole fetch cycle (5 s); here a
 * short-lived member joins, commits the offsets as soon as it is in the group, and leaves.
 * Only the children's assignment protocol works for it: in static mode every member must speak it.
 * Like `kafka-consumer-groups --reset-offsets`, it refuses a group that has members: they would
 * overwrite the new offsets with their next commit.
 */
import type { Admin } from 'kafkajs';
import { UsageError } from '../../shared/errors.js';
import { createConsumer, type KafkaClient } from '../../shared/kafka-client.js';
import { createStaticAssigner } from './static-assigner.js';

/** Where a group starts reading: its own commits, or a position that is committed for it first. */
export type StartOffset = { kind: 'stored' } | { kind: 'beginning' } | { kind: 'end' } | { kind: 'offset'; offset: bigint };

/** Where a reset moves a group: a start offset, or the first record at or after a time (ms since the epoch). */
export type ResetTarget = Exclude<StartOffset, { kind: 'stored' }> | { kind: 'timestamp'; timestampMs: number };

/** A group that has members, whose offsets must not be moved under them. */
export class GroupHasMembersError extends UsageError {
  readonly group: string;
  readonly state: string;

  constructor(group: string, state: string, message: string) {
    super(message, { group, state });
    this.name = 'GroupHasMembersError';
    this.group = group;
    this.state = state;
  }
}

/**
 * The offset each partition should start from, clamped to what the log holds (as Kafka's tools do).
 * A timestamp after the last record gives the log end, as kafka-consumer-groups --to-datetime does.
 */
export async function targetOffsets(admin: Admin, topic: string, start: ResetTarget): Promise<{ partition: number; offset: string }[]> {
  const ranges = await admin.fetchTopicOffsets(topic);
  const byTime =
    start.kind === 'timestamp'
      ? new Map((await admin.fetchTopicOffsetsByTimestamp(topic, start.timestampMs)).map((entry) => [entry.partition, BigInt(entry.offset)]))
      : undefined;
  return ranges.map(({ partition, low, high }) => {
    const [lowest, highest] = [BigInt(low), BigInt(high)];
    const wanted =
      start.kind === 'beginning' ? lowest : start.kind === 'end' ? highest : start.kind === 'offset' ? start.offset : (byTime?.get(partition) ?? highest);
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
  const state = await groupState(admin, groupId);
  if (state !== 'Empty' && state !== 'Dead') {
    const which = start.kind === 'offset' ? String(start.offset) : start.kind;
    throw new GroupHasMembersError(
      groupId,
      state,
      `-o ${which} moves the offsets of group "${groupId}", which has running members (${state}): stop them first, or use another group with -G`,
    );
  }
  await commitAsMember(kafka, groupId, topic, await targetOffsets(admin, topic, start));
}

async function groupState(admin: Admin, groupId: string): Promise<string> {
  const { groups } = await admin.describeGroups([groupId]);
  return groups[0]?.state ?? 'Dead';
}

export interface OffsetResetPlan {
  group: string;
  topic: string;
  /** The group's state when the plan was made: Empty or Dead (one with members is refused). */
  state: string;
  partitions: {
    partition: number;
    /** The committed offset now; null when the group has none for the partition. */
    current: number | null;
    target: number;
  }[];
}

/** What a reset would commit, without committing it (the --dry-run of kafka-consumer-groups). Refuses a group with members. */
export async function planOffsetReset(admin: Admin, groupId: string, topic: string, target: ResetTarget): Promise<OffsetResetPlan> {
  const state = await groupState(admin, groupId);
  if (state !== 'Empty' && state !== 'Dead') {
    throw new GroupHasMembersError(
      groupId,
      state,
      `group "${groupId}" has active members (${state}): offsets can only be reset while it has none; stop its consumers first`,
    );
  }
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const current = new Map((committed?.partitions ?? []).filter((entry) => entry.offset !== '-1').map((entry) => [entry.partition, Number(entry.offset)]));
  const offsets = await targetOffsets(admin, topic, target);
  return {
    group: groupId,
    topic,
    state,
    partitions: offsets
      .map(({ partition, offset }) => ({ partition, current: current.get(partition) ?? null, target: Number(offset) }))
      .sort((a, b) => a.partition - b.partition),
  };
}

/** Plans the reset again (the log end may have moved since a preview), checks the group is still empty, and commits it. */
export async function resetGroupOffsets(kafka: KafkaClient, admin: Admin, groupId: string, topic: string, target: ResetTarget): Promise<OffsetResetPlan> {
  const plan = await planOffsetReset(admin, groupId, topic, target);
  await commitAsMember(
    kafka,
    groupId,
    topic,
    plan.partitions.map((entry) => ({ partition: entry.partition, offset: String(entry.target) })),
  );
  return plan;
}

async function commitAsMember(kafka: KafkaClient, groupId: string, topic: string, offsets: { partition: number; offset: string }[]): Promise<void> {
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
