/**
 * What the cluster says about a topic and the consumer groups, read through a KafkaJS admin client:
 * partitions with their leader, replicas, in-sync replicas and offset range; every group with its
 * state, members and what each member was assigned; a group's committed offsets. Plain data, so a
 * dashboard, a CLI or a test can compare one moment with the next.
 */
import kafkajs from 'kafkajs';
import type { Admin } from 'kafkajs';
import { TopicNotFoundError } from '../../shared/errors.js';

const { AssignerProtocol } = kafkajs;

export interface PartitionState {
  partition: number;
  /** Node id of the leader; -1 while the partition has none. */
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  /** The earliest offset still in the log (retention moves it). */
  logStartOffset: number;
  /** The offset the next message will get (the high watermark). */
  logEndOffset: number;
}

export interface TopicState {
  topic: string;
  partitions: PartitionState[];
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  /** Topic → partitions this member owns, from the assignment its group's leader made. */
  assignment: Record<string, number[]>;
}

export interface GroupState {
  group: string;
  /** As the coordinator says: Stable, Empty, PreparingRebalance, CompletingRebalance, Dead. */
  state: string;
  protocolType: string;
  /** The assignor in use (RoundRobinAssigner, HarnessStatic, range…); empty for an empty group. */
  protocol: string;
  members: GroupMember[];
}

const isUnknownTopic = (error: unknown): boolean => (error as { type?: unknown }).type === 'UNKNOWN_TOPIC_OR_PARTITION';

export async function readTopicState(admin: Admin, topic: string): Promise<TopicState> {
  try {
    // A fresh metadata request every time (fetchTopicMetadata does not use KafkaJS's cache): a leader that moved shows at once.
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions ?? [];
    if (partitions.length === 0) throw new TopicNotFoundError(topic, 'see the topics the cluster has');
    const ranges = new Map((await admin.fetchTopicOffsets(topic)).map((range) => [range.partition, range]));
    return {
      topic,
      partitions: partitions
        .map((partition) => {
          const range = ranges.get(partition.partitionId);
          return {
            partition: partition.partitionId,
            leader: partition.leader,
            replicas: [...partition.replicas],
            isr: [...partition.isr],
            offlineReplicas: [...(partition.offlineReplicas ?? [])],
            logStartOffset: Number(range?.low ?? 0),
            logEndOffset: Number(range?.high ?? 0),
          };
        })
        .sort((a, b) => a.partition - b.partition),
    };
  } catch (error) {
    if (isUnknownTopic(error)) throw new TopicNotFoundError(topic, 'see the topics the cluster has');
    throw error;
  }
}

/** Topic names, internal ones (__consumer_offsets) left out, sorted. */
export async function listTopicNames(admin: Admin): Promise<string[]> {
  return (await admin.listTopics()).filter((name) => !name.startsWith('__')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every consumer group the cluster knows, sorted; other protocol types (Connect workers) are left out. */
export async function listGroupIds(admin: Admin): Promise<string[]> {
  const { groups } = await admin.listGroups();
  return groups
    .filter((group) => group.protocolType === 'consumer' || group.protocolType === '')
    .map((group) => group.groupId)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function decodeAssignment(protocolType: string, assignment: Buffer): Record<string, number[]> {
  if (protocolType !== 'consumer' || assignment.length === 0) return {};
  try {
    const decoded = AssignerProtocol.MemberAssignment.decode(assignment);
    return Object.fromEntries(Object.entries(decoded?.assignment ?? {}).map(([topic, partitions]) => [topic, [...partitions].sort((a, b) => a - b)]));
  } catch {
    // A member of another client may encode user data we can't read; its assignment is then unknown, not a crash.
    return {};
  }
}

export async function describeGroupStates(admin: Admin, groupIds: readonly string[]): Promise<GroupState[]> {
  if (groupIds.length === 0) return [];
  const { groups } = await admin.describeGroups([...groupIds]);
  return groups.map((group) => ({
    group: group.groupId,
    state: group.state,
    protocolType: group.protocolType,
    protocol: group.protocol,
    members: group.members
      .map((member) => ({
        memberId: member.memberId,
        clientId: member.clientId,
        host: member.clientHost,
        assignment: decodeAssignment(group.protocolType, member.memberAssignment),
      }))
      .sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : a.memberId < b.memberId ? -1 : 1)),
  }));
}

/** The group's committed offsets, topic → partition → offset; a partition without a commit is absent (not 0, not -1). */
export async function readCommittedOffsets(admin: Admin, group: string, topic?: string): Promise<Map<string, Map<number, number>>> {
  const result = new Map<string, Map<number, number>>();
  const fetched = await admin.fetchOffsets(topic === undefined ? { groupId: group } : { groupId: group, topics: [topic] });
  for (const entry of fetched) {
    const partitions = new Map<number, number>();
    for (const { partition, offset } of entry.partitions) if (offset !== '-1') partitions.set(partition, Number(offset));
    if (partitions.size > 0) result.set(entry.topic, partitions);
  }
  return result;
}

/** What an Admin API answer means for a group's activity: Kafka's tools reset offsets only when this is false. */
export function hasActiveMembers(state: string): boolean {
  return state !== 'Empty' && state !== 'Dead';
}
