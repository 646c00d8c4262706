/**
 * A consumer group's lag, row for row as `kafka-consumer-groups --describe --group` prints it:
 * one row per partition that is assigned to a member or has a committed offset. Like Kafka 4.x, a
 * member that owns no partition gets no row, the log-end offset is the high watermark (records of
 * open transactions included), and an offset committed past the end gives a negative lag.
 */
import kafkajs from 'kafkajs';
import type { Admin } from 'kafkajs';

const { AssignerProtocol } = kafkajs;
/** kafkajs's ISOLATION_LEVEL.READ_UNCOMMITTED (the protocol's value). */
const readUncommitted = 0;

export interface LagRow {
  group: string;
  topic: string;
  partition: number;
  /** Committed offset; null when the group has committed none for this partition. */
  currentOffset: number | null;
  logEndOffset: number;
  /** logEndOffset − currentOffset, negative when the commit is past the end; null without a committed offset. */
  lag: number | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

export interface GroupLag {
  group: string;
  state: string;
  rows: LagRow[];
}

interface Owner {
  consumerId: string;
  host: string;
  clientId: string;
}

/** Plain code-unit order, the one sort() uses by default, written out. */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export async function describeGroupLag(admin: Admin, group: string, topicFilter?: string): Promise<GroupLag> {
  const { groups } = await admin.describeGroups([group]);
  const description = groups[0];
  const owners = new Map<string, Owner>();
  for (const member of description?.members ?? []) {
    const decoded = member.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(member.memberAssignment) : null;
    for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {})) {
      for (const partition of partitions)
        owners.set(`${topic}/${partition}`, { consumerId: member.memberId, host: member.clientHost, clientId: member.clientId });
    }
  }

  const committed = new Map<string, number>();
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group })) {
    for (const { partition, offset } of partitions) if (offset !== '-1') committed.set(`${topic}/${partition}`, Number(offset));
  }

  const keys = new Set([...owners.keys(), ...committed.keys()]);
  const topics = [...new Set([...keys].map((key) => key.slice(0, key.lastIndexOf('/'))))].filter((topic) => !topicFilter || topic === topicFilter);
  const rows: LagRow[] = [];
  for (const topic of topics.sort(byCodeUnits)) {
    // READ_UNCOMMITTED: the high watermark, which kafka-consumer-groups shows; the default (the last
    // stable offset) would stop at the first open transaction and understate the lag.
    const offsets = await admin.fetchTopicOffsets(topic, { isolationLevel: readUncommitted });
    const ends = new Map(offsets.map((entry) => [entry.partition, Number(entry.high)]));
    for (const key of keys) {
      if (!key.startsWith(`${topic}/`) || key.slice(topic.length + 1).includes('/')) continue;
      const partition = Number(key.slice(topic.length + 1));
      const currentOffset = committed.get(key) ?? null;
      const logEndOffset = ends.get(partition) ?? 0;
      const owner = owners.get(key);
      rows.push({
        group,
        topic,
        partition,
        currentOffset,
        logEndOffset,
        lag: currentOffset === null ? null : logEndOffset - currentOffset,
        consumerId: owner?.consumerId ?? null,
        host: owner?.host ?? null,
        clientId: owner?.clientId ?? null,
      });
    }
  }
  rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return { group, state: description?.state ?? 'Dead', rows };
}
