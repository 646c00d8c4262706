/**
 * Every consumer group on the cluster, not only the admin's: state, members, assignment, and per
 * partition the committed offset, lag, Burrow status and lag in seconds. Honest values: a partition
 * without a commit says "no commit" (null), never 0; a lag that came out negative (the commit and
 * the log end were read at different moments) is shown as 0 and flagged.
 */
import type { Admin } from 'kafkajs';
import { describeGroupStates, listGroupIds, readCommittedOffsets } from '../engine/cluster-state.js';
import { browserGroupPrefix } from '../engine/record-browser.js';
import { type LagHistory, lagKey } from './lag-status.js';
import { displayState, type DisplayState } from './topic-snapshot.js';

export interface OverviewPartition {
  topic: string;
  partition: number;
  committed: number | null;
  logEndOffset: number;
  lag: number | null;
  lagClamped: boolean;
  /** Burrow's status (OK, WARN, STALL, STOP) over this server's recent samples. */
  status: string;
  /** Lag ÷ recent commit rate; 0 when caught up, null when unknown (no commit, no progress yet). */
  lagSeconds: number | null;
  owner: { memberId: string; clientId: string; host: string } | null;
}

export interface OverviewGroup {
  group: string;
  state: string;
  displayState: DisplayState;
  protocol: string;
  members: { memberId: string; clientId: string; host: string; assignment: Record<string, number[]> }[];
  partitions: OverviewPartition[];
  totalLag: number | null;
}

export interface GroupsOverview {
  checkedAtMs: number;
  groups: OverviewGroup[];
}

/** Reads every group; samples go into `history`, so polling this repeatedly gives the statuses a window to judge. */
export async function readGroupsOverview(admin: Admin, history: LagHistory): Promise<GroupsOverview> {
  const atMs = Date.now();
  const ids = (await listGroupIds(admin)).filter((id) => !id.startsWith(browserGroupPrefix));
  const described = await describeGroupStates(admin, ids);
  const endsByTopic = new Map<string, Map<number, number>>();
  const endsOf = async (topic: string): Promise<Map<number, number>> => {
    let ends = endsByTopic.get(topic);
    if (!ends) {
      ends = new Map((await admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, Number(entry.high)]));
      endsByTopic.set(topic, ends);
    }
    return ends;
  };
  const groups: OverviewGroup[] = [];
  for (const group of described) {
    const committed = await readCommittedOffsets(admin, group.group);
    const owners = new Map<string, OverviewPartition['owner']>();
    for (const member of group.members) {
      for (const [topic, partitions] of Object.entries(member.assignment)) {
        for (const partition of partitions) owners.set(`${topic}/${partition}`, { memberId: member.memberId, clientId: member.clientId, host: member.host });
      }
    }
    const keys = new Set([...owners.keys()]);
    for (const [topic, partitions] of committed) for (const partition of partitions.keys()) keys.add(`${topic}/${partition}`);
    const partitions: OverviewPartition[] = [];
    for (const key of keys) {
      const slash = key.lastIndexOf('/');
      const topic = key.slice(0, slash);
      const partition = Number(key.slice(slash + 1));
      // A topic deleted since the commit has no log end any more; its rows say so through a null lag.
      const ends = await endsOf(topic).catch(() => new Map<number, number>());
      const logEndOffset = ends.get(partition) ?? 0;
      const offset = committed.get(topic)?.get(partition) ?? null;
      const lag = offset === null || !ends.has(partition) ? null : Math.max(0, logEndOffset - offset);
      const historyKey = lagKey(group.group, topic, partition);
      if (offset !== null && lag !== null) history.record(historyKey, { atMs, offset, logEndOffset, lag });
      const evaluation = history.evaluate(historyKey, atMs);
      partitions.push({
        topic,
        partition,
        committed: offset,
        logEndOffset,
        lag,
        lagClamped: offset !== null && ends.has(partition) && offset > logEndOffset,
        status: evaluation.status,
        lagSeconds: lag === null ? null : (evaluation.estimatedLagSeconds ?? (lag === 0 ? 0 : null)),
        owner: owners.get(key) ?? null,
      });
    }
    partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    const known = partitions.filter((row) => row.lag !== null);
    groups.push({
      group: group.group,
      state: group.state,
      displayState: displayState(group.state),
      protocol: group.protocol,
      members: group.members.map(({ memberId, clientId, host, assignment }) => ({ memberId, clientId, host, assignment })),
      partitions,
      totalLag: known.length === 0 ? null : known.reduce((sum, row) => sum + (row.lag ?? 0), 0),
    });
  }
  return { checkedAtMs: atMs, groups };
}
