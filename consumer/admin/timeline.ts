/**
 * What changed between two snapshots of a topic, as timeline entries: members joining and leaving,
 * assignments moving, group states, leaders and in-sync replicas, and the admin's own consumers
 * starting, stopping and being assigned or revoked partitions. Kafka keeps no history of these;
 * comparing what it says one second with the next is how they are seen.
 */
import type { GroupOnTopic, TopicSnapshot } from './topic-snapshot.js';

export const TimelineKinds = {
  joined: 'member-joined',
  left: 'member-left',
  restart: 'restart',
  assignment: 'assignment',
  state: 'group-state',
  leader: 'leader',
  isr: 'isr',
  consumer: 'admin-consumer',
} as const;
export type TimelineKind = (typeof TimelineKinds)[keyof typeof TimelineKinds];

export interface TimelineEvent {
  atMs: number;
  kind: TimelineKind;
  /** The group it concerns, if any. */
  group?: string;
  partition?: number;
  /** One sentence, e.g. "harness-consumer-1 (/127.0.0.1) joined group g". */
  text: string;
}

const who = (member: { clientId: string; host: string; adminConsumer: string | null }): string =>
  member.adminConsumer ? `admin consumer ${member.adminConsumer}` : `${member.clientId} (${member.host})`;

const list = (partitions: readonly number[]): string => (partitions.length === 0 ? 'none' : partitions.join(', '));

function diffGroup(before: GroupOnTopic | undefined, after: GroupOnTopic | undefined, atMs: number): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const group = (after ?? before)?.group ?? '';
  const membersBefore = new Map((before?.members ?? []).map((member) => [member.memberId, member]));
  const membersAfter = new Map((after?.members ?? []).map((member) => [member.memberId, member]));
  for (const [id, member] of membersAfter) {
    if (membersBefore.has(id)) continue;
    // A supervisor restarts a dead child under the same client id: its new member joins while the old one may still be listed.
    const sameClient = [...membersBefore.values()].some((other) => other.clientId === member.clientId && other.host === member.host);
    events.push({
      atMs,
      group,
      kind: sameClient ? TimelineKinds.restart : TimelineKinds.joined,
      text: sameClient ? `${who(member)} restarted: a new member joined group ${group}` : `${who(member)} joined group ${group}`,
    });
  }
  for (const [id, member] of membersBefore) {
    if (membersAfter.has(id)) continue;
    const replaced = [...membersAfter.values()].some((other) => other.clientId === member.clientId && other.host === member.host);
    events.push({
      atMs,
      group,
      kind: replaced ? TimelineKinds.restart : TimelineKinds.left,
      text: replaced ? `${who(member)}: its earlier member left group ${group} (restarted)` : `${who(member)} left group ${group}`,
    });
  }
  if (before && after && before.state !== after.state) {
    events.push({ atMs, group, kind: TimelineKinds.state, text: `group ${group}: ${before.displayState} → ${after.displayState}` });
  }
  const ownersBefore = new Map((before?.partitions ?? []).map((row) => [row.partition, row.owner]));
  const moved: string[] = [];
  for (const row of after?.partitions ?? []) {
    const earlier = ownersBefore.get(row.partition) ?? null;
    if ((earlier?.memberId ?? null) === (row.owner?.memberId ?? null)) continue;
    const restarted = earlier && row.owner && earlier.clientId === row.owner.clientId && earlier.host === row.owner.host;
    moved.push(`p${row.partition} ${earlier ? who(earlier) : 'nobody'} → ${restarted ? 'its new member' : row.owner ? who(row.owner) : 'nobody'}`);
  }
  if (before && moved.length > 0) events.push({ atMs, group, kind: TimelineKinds.assignment, text: `group ${group} assignment: ${moved.join('; ')}` });
  return events;
}

/** The events between `before` and `after`; none for the first snapshot, since there is nothing to compare it with. */
export function diffSnapshots(before: TopicSnapshot | undefined, after: TopicSnapshot): TimelineEvent[] {
  if (!before) return [];
  const { atMs } = after;
  const events: TimelineEvent[] = [];
  const partitionsBefore = new Map(before.partitions.map((partition) => [partition.partition, partition]));
  for (const partition of after.partitions) {
    const earlier = partitionsBefore.get(partition.partition);
    if (!earlier) continue;
    if (earlier.leader !== partition.leader) {
      const name = (leader: number): string => (leader < 0 ? 'no leader' : `node ${leader}`);
      events.push({
        atMs,
        partition: partition.partition,
        kind: TimelineKinds.leader,
        text: `p${partition.partition} leader: ${name(earlier.leader)} → ${name(partition.leader)}`,
      });
    }
    const isr = (nodes: readonly number[]): string => [...nodes].sort((a, b) => a - b).join(',');
    if (isr(earlier.isr) !== isr(partition.isr)) {
      events.push({
        atMs,
        partition: partition.partition,
        kind: TimelineKinds.isr,
        text: `p${partition.partition} in-sync replicas: [${isr(earlier.isr)}] → [${isr(partition.isr)}]`,
      });
    }
  }
  const groups = new Set([...before.groups.map((group) => group.group), ...after.groups.map((group) => group.group)]);
  for (const name of groups) {
    events.push(
      ...diffGroup(
        before.groups.find((group) => group.group === name),
        after.groups.find((group) => group.group === name),
        atMs,
      ),
    );
  }
  const consumersBefore = new Map(before.adminConsumers.map((consumer) => [consumer.name, consumer]));
  for (const consumer of after.adminConsumers) {
    const earlier = consumersBefore.get(consumer.name);
    if (earlier && earlier.status !== consumer.status) {
      events.push({
        atMs,
        group: consumer.group,
        kind: TimelineKinds.consumer,
        text: `admin consumer ${consumer.name}: ${earlier.status} → ${consumer.status}`,
      });
    }
    const assigned = consumer.partitions.filter((partition) => !(earlier?.partitions ?? []).includes(partition));
    const revoked = (earlier?.partitions ?? []).filter((partition) => !consumer.partitions.includes(partition));
    if (earlier && (assigned.length > 0 || revoked.length > 0)) {
      events.push({
        atMs,
        group: consumer.group,
        kind: TimelineKinds.consumer,
        text: `admin consumer ${consumer.name}: assigned ${list(assigned)}, revoked ${list(revoked)}`,
      });
    }
  }
  return events;
}
