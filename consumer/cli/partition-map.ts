/**
 * The partition map under `npm run consume`'s live table: for each partition, the child that reads
 * it, where that child has got to, what the group has committed, the log-end offset and the lag;
 * and the ownership changes (restarts, rebalances) worth a line above it. Pure: the supervisor
 * feeds it the children's reports and the offsets it polls.
 */
import { formatTable } from '../../shared/table.js';
import { clockTime } from './clock.js';

/** What the parent knows of one child, for the map. */
export interface ChildPartitions {
  index: number;
  pid: number | undefined;
  /**
   * Whether the running process has reported its partitions; if not (starting, restarting, done),
   * `partitions` are the ones the parent expects it to own (its static slice, or none).
   */
  reporting: boolean;
  /** Shown instead of the pid while not reporting: "restarting in 2 s". */
  state: string;
  partitions: readonly number[];
  /** Next offset to process, per partition the child has processed some of. */
  positions: ReadonlyMap<number, bigint>;
}

/** The group's committed offsets and the log-end offsets, read together by one poll. */
export interface PolledOffsets {
  committed: ReadonlyMap<number, bigint>;
  ends: ReadonlyMap<number, bigint>;
}

export interface PartitionRow {
  partition: number;
  /** The child that reads it (or is expected to, while it restarts); null when nobody does. */
  child: number | null;
  owner: string;
  position: bigint | null;
  committed: bigint | null;
  end: bigint | null;
  /** end − committed, as kafka-consumer-groups computes it; null without a commit or an end. */
  lag: bigint | null;
}

export function buildPartitionMap(partitionCount: number, children: readonly ChildPartitions[], offsets: PolledOffsets | undefined): PartitionRow[] {
  // A reporting child's claim wins over a silent child's expected slice: in group mode the partitions
  // of a dead child move to the others, and the parent's memory of them is then stale.
  const owners = new Map<number, ChildPartitions>();
  for (const child of children) if (!child.reporting) for (const partition of child.partitions) owners.set(partition, child);
  for (const child of children) if (child.reporting) for (const partition of child.partitions) owners.set(partition, child);

  return Array.from({ length: partitionCount }, (_, partition): PartitionRow => {
    const owner = owners.get(partition);
    const committed = offsets?.committed.get(partition) ?? null;
    const end = offsets?.ends.get(partition) ?? null;
    // A child that owns a partition but has processed none of it yet starts from the group's commit.
    const position = owner?.reporting ? (owner.positions.get(partition) ?? committed) : null;
    return {
      partition,
      child: owner?.index ?? null,
      owner: owner === undefined ? '-' : owner.reporting ? `${owner.index} (pid ${owner.pid})` : `${owner.index} (${owner.state})`,
      position,
      committed,
      end,
      lag: committed === null || end === null ? null : end > committed ? end - committed : 0n,
    };
  });
}

export function formatPartitionMap(rows: readonly PartitionRow[]): string {
  return formatTable(
    ['PARTITION', 'CHILD', 'POSITION', 'COMMITTED', 'LOG-END', 'LAG'],
    rows.map((row) => [row.partition, row.owner, row.position, row.committed, row.end, row.lag]),
  );
}

/** One child's partitions as it last reported them, under one pid. */
export interface Ownership {
  pid: number;
  partitions: readonly number[];
}

const list = (partitions: readonly number[]): string => (partitions.length === 0 ? 'nothing' : partitions.join(','));
const sameSet = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((partition) => b.includes(partition));

/**
 * Turns successive views of who owns what into the lines a person wants to see: a child that
 * exited, a child that came back (with the same partitions or not), a rebalance. A child's first
 * partitions are its start, not news; before it has joined, it reports none.
 */
export class OwnershipTracker {
  /** Each child's last ownership once it had joined, kept after it exits so that its return can be told from a first start. */
  readonly #lastJoined = new Map<number, Ownership>();
  /** Pids that have reported partitions: their reports of none after that are a rebalance, not "still joining". */
  readonly #joinedPids = new Set<number>();
  #current = new Map<number, Ownership>();

  /**
   * `current` holds the children that run and have reported, by index. Returns what changed since
   * the last call, one line per event, without time stamps.
   */
  update(current: ReadonlyMap<number, Ownership>): string[] {
    const events: string[] = [];
    for (const [index, before] of this.#current) {
      if (current.get(index)?.pid !== before.pid) events.push(`child ${index} (pid ${before.pid}) exited; it owned ${list(before.partitions)}`);
    }
    const moved: number[] = [];
    let rebalanced = false;
    for (const [index, now] of [...current].sort(([a], [b]) => a - b)) {
      const before = this.#current.get(index);
      if (before?.pid === now.pid && this.#joinedPids.has(now.pid)) {
        if (!sameSet(before.partitions, now.partitions)) {
          rebalanced = true;
          moved.push(index);
        }
        continue;
      }
      if (now.partitions.length === 0) continue;
      this.#joinedPids.add(now.pid);
      const earlier = this.#lastJoined.get(index);
      if (earlier === undefined) {
        // A first start: news only if it took partitions from others, which the rebalance line shows.
        moved.push(index);
        continue;
      }
      const how = sameSet(earlier.partitions, now.partitions) ? `partitions ${list(now.partitions)} moved back to it` : `now owns ${list(now.partitions)}`;
      events.push(`child ${index} (pid ${now.pid}) restarted: ${how}`);
    }
    if (rebalanced) events.push(`rebalance: ${moved.map((index) => `child ${index} now owns ${list(current.get(index)?.partitions ?? [])}`).join('; ')}`);
    this.#current = new Map(current);
    for (const [index, now] of current) if (this.#joinedPids.has(now.pid)) this.#lastJoined.set(index, now);
    return events;
  }
}

/** The last few events, newest last, each stamped with the local time it was seen. */
export class EventLog {
  readonly #lines: string[] = [];
  readonly #keep: number;

  constructor(keep = 5) {
    this.#keep = keep;
  }

  add(events: readonly string[], at: Date): void {
    for (const event of events) this.#lines.push(`${clockTime(at)} ${event}`);
    this.#lines.splice(0, Math.max(0, this.#lines.length - this.#keep));
  }

  get lines(): readonly string[] {
    return this.#lines;
  }
}
