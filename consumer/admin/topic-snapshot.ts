/**
 * One moment of a topic as the dashboard draws it, built from what the broker said (partitions,
 * groups, committed offsets) and what the admin's own consumers know (their live positions). Pure:
 * the same reads always give the same snapshot, so it is unit-tested without a broker.
 */
import type { GroupState, PartitionState } from '../engine/cluster-state.js';

/** How a group's state is shown: the two rebalance phases read as one. */
export const DisplayStates = { stable: 'Stable', empty: 'Empty', rebalancing: 'Rebalancing', dead: 'Dead', unknown: 'Unknown' } as const;
export type DisplayState = (typeof DisplayStates)[keyof typeof DisplayStates];

export function displayState(state: string): DisplayState {
  switch (state) {
    case 'Stable':
      return DisplayStates.stable;
    case 'Empty':
      return DisplayStates.empty;
    case 'PreparingRebalance':
    case 'CompletingRebalance':
      return DisplayStates.rebalancing;
    case 'Dead':
      return DisplayStates.dead;
    default:
      return DisplayStates.unknown;
  }
}

/** A running consumer of this admin server, as the snapshot needs it. */
export interface AdminConsumerInfo {
  name: string;
  group: string;
  topic: string;
  /** Its KafkaJS client id: how its member is recognised in the group's description. */
  clientId: string;
  status: string;
  partitions: readonly number[];
  positions: ReadonlyMap<number, bigint>;
}

export interface Owner {
  memberId: string;
  clientId: string;
  host: string;
  /** Name of the admin consumer this member is, or null for any other client. */
  adminConsumer: string | null;
}

export interface GroupPartition {
  partition: number;
  /** Committed offset; null when the group has committed none ("no commit", never 0). */
  committed: number | null;
  /** logEnd − committed, at least 0; null without a commit. */
  lag: number | null;
  /** The two offsets were read at different moments and the commit looked ahead of the log end: lag shown as 0. */
  lagClamped: boolean;
  owner: Owner | null;
  /** An admin consumer's next offset to process (it may be ahead of its commit); null for other clients. */
  position: number | null;
}

export interface GroupOnTopic {
  group: string;
  state: string;
  displayState: DisplayState;
  members: (Owner & { partitions: number[] })[];
  partitions: GroupPartition[];
  /** Sum of the partitions' lags; null when no partition has a commit. */
  totalLag: number | null;
  /** Offsets committed per second since the previous snapshot (a reset backwards counts as 0); null at first. */
  outPerSecond: number | null;
}

export interface TopicSnapshot {
  topic: string;
  atMs: number;
  partitions: PartitionState[];
  groups: GroupOnTopic[];
  /** Messages written per second since the previous snapshot; null at first. */
  inPerSecond: number | null;
  adminConsumers: { name: string; group: string; status: string; partitions: number[] }[];
}

export interface SnapshotInput {
  topic: string;
  atMs: number;
  partitions: PartitionState[];
  /** Described groups; those with neither a commit on this topic nor a member assigned to it are left out. */
  groups: GroupState[];
  /** Group → partition → committed offset, for this topic. */
  committed: ReadonlyMap<string, ReadonlyMap<number, number>>;
  adminConsumers: readonly AdminConsumerInfo[];
  previous: TopicSnapshot | undefined;
}

const perSecond = (delta: number, elapsedMs: number): number => Math.round((Math.max(0, delta) * 10_000) / elapsedMs) / 10;

export function buildSnapshot(input: SnapshotInput): TopicSnapshot {
  const { topic, atMs, partitions, previous } = input;
  const ends = new Map(partitions.map((partition) => [partition.partition, partition.logEndOffset]));
  const elapsedMs = previous ? atMs - previous.atMs : 0;
  const groups: GroupOnTopic[] = [];
  for (const described of input.groups) {
    const committed = input.committed.get(described.group) ?? new Map<number, number>();
    const assigned = described.members.some((member) => (member.assignment[topic]?.length ?? 0) > 0);
    if (committed.size === 0 && !assigned) continue;
    const members = described.members.map((member) => {
      const admin = input.adminConsumers.find(
        (consumer) => consumer.group === described.group && consumer.topic === topic && consumer.clientId === member.clientId,
      );
      return {
        memberId: member.memberId,
        clientId: member.clientId,
        host: member.host,
        adminConsumer: admin?.name ?? null,
        partitions: [...(member.assignment[topic] ?? [])],
      };
    });
    const rows: GroupPartition[] = partitions.map(({ partition }) => {
      const offset = committed.get(partition) ?? null;
      const end = ends.get(partition) ?? 0;
      const member = members.find((candidate) => candidate.partitions.includes(partition));
      const owner = member ? { memberId: member.memberId, clientId: member.clientId, host: member.host, adminConsumer: member.adminConsumer } : null;
      const admin = owner?.adminConsumer ? input.adminConsumers.find((consumer) => consumer.name === owner.adminConsumer) : undefined;
      const position = admin?.positions.get(partition);
      return {
        partition,
        committed: offset,
        lag: offset === null ? null : Math.max(0, end - offset),
        lagClamped: offset !== null && offset > end,
        owner,
        position: position === undefined ? null : Number(position),
      };
    });
    const withCommit = rows.filter((row) => row.lag !== null);
    const before = previous?.groups.find((group) => group.group === described.group);
    let outPerSecond: number | null = null;
    if (before && elapsedMs > 0) {
      let delta = 0;
      for (const row of rows) {
        const earlier = before.partitions.find((candidate) => candidate.partition === row.partition)?.committed;
        if (row.committed !== null && earlier !== null && earlier !== undefined) delta += Math.max(0, row.committed - earlier);
      }
      outPerSecond = perSecond(delta, elapsedMs);
    }
    groups.push({
      group: described.group,
      state: described.state,
      displayState: displayState(described.state),
      members,
      partitions: rows,
      totalLag: withCommit.length === 0 ? null : withCommit.reduce((sum, row) => sum + (row.lag ?? 0), 0),
      outPerSecond,
    });
  }
  groups.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  let inPerSecond: number | null = null;
  if (previous && elapsedMs > 0) {
    const total = (list: readonly PartitionState[]): number => list.reduce((sum, partition) => sum + partition.logEndOffset, 0);
    inPerSecond = perSecond(total(partitions) - total(previous.partitions), elapsedMs);
  }
  return {
    topic,
    atMs,
    partitions,
    groups,
    inPerSecond,
    adminConsumers: input.adminConsumers
      .filter((consumer) => consumer.topic === topic)
      .map((consumer) => ({ name: consumer.name, group: consumer.group, status: consumer.status, partitions: [...consumer.partitions] })),
  };
}

/** One point of the charts' history: lag and rates at a moment. A moment the broker did not answer has null values (a gap, not a zero). */
export interface HistorySample {
  atMs: number;
  inPerSecond: number | null;
  groups: Record<string, { lag: number | null; outPerSecond: number | null; partitionLags: (number | null)[] }>;
}

export function toHistorySample(snapshot: TopicSnapshot): HistorySample {
  const groups: HistorySample['groups'] = {};
  for (const group of snapshot.groups) {
    groups[group.group] = { lag: group.totalLag, outPerSecond: group.outPerSecond, partitionLags: group.partitions.map((row) => row.lag) };
  }
  return { atMs: snapshot.atMs, inPerSecond: snapshot.inPerSecond, groups };
}
