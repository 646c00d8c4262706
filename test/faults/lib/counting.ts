/**
 * What the suite decides by: message ids counted in the topic (read back by a reader independent
 * of the harness's consumer), in the sinks (JSON Lines files, PostgreSQL tables), and offsets.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Admin } from 'kafkajs';
import type pg from 'pg';
import { ErrorCodes, HarnessError } from '../../../shared/errors.js';
import { createConsumer, type KafkaClient } from '../../../shared/kafka-client.js';

/** Ids found somewhere: every copy counted (`records`), and the distinct ones. */
export interface IdTally {
  records: number;
  ids: Set<string>;
}

function emptyTally(): IdTally {
  return { records: 0, ids: new Set() };
}

function addPayload(tally: IdTally, payload: unknown): void {
  tally.records += 1;
  const id = (payload as { id?: unknown } | null)?.id;
  // A record without an id still counts as a record: it shows up as a difference, never silently.
  tally.ids.add(typeof id === 'string' ? id : `(no id #${tally.records})`);
}

export function kcatPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v kcat'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The log-end offsets (high watermarks) of a topic, summed: messages written so far. */
export async function endOffsetTotal(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, entry) => sum + Number(entry.high), 0);
}

/** What a group has committed on a topic, summed (partitions without a commit count 0). */
export async function committedTotal(admin: Admin, group: string, topic: string): Promise<number> {
  const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return (committed?.partitions ?? []).reduce((sum, entry) => sum + Math.max(0, Number(entry.offset)), 0);
}

/** Whether the group's commits reach the end of every partition: it has consumed everything. */
export async function caughtUp(admin: Admin, group: string, topic: string): Promise<boolean> {
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, Number(entry.high)]));
  const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const commits = new Map((committed?.partitions ?? []).map((entry) => [entry.partition, Number(entry.offset)]));
  return [...ends].every(([partition, end]) => end === 0 || (commits.get(partition) ?? -1) >= end);
}

/**
 * Every message of the topic, read once from the beginning to the end offsets seen at the start:
 * with kcat when it is installed (a client that shares no code with the harness), else a KafkaJS
 * consumer in a group of its own that commits nothing.
 */
export async function readTopic(kafka: KafkaClient, admin: Admin, brokers: readonly string[], topic: string): Promise<IdTally & { reader: string }> {
  const kcat = kcatPath();
  if (kcat) return { ...(await readTopicWithKcat(kcat, brokers, topic)), reader: 'kcat' };
  return { ...(await readTopicWithKafkaJs(kafka, admin, topic)), reader: 'KafkaJS' };
}

async function readTopicWithKcat(kcat: string, brokers: readonly string[], topic: string): Promise<IdTally> {
  const tally = emptyTally();
  const child = spawn(kcat, ['-b', brokers.join(','), '-t', topic, '-C', '-e', '-q', '-o', 'beginning', '-f', '%s\\n'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line.trim() !== '') addPayload(tally, JSON.parse(line));
  }
  const code = await exited;
  if (code !== 0) throw new HarnessError(ErrorCodes.runtime, `kcat reading ${topic} exited ${code}: ${stderr.trim()}`);
  return tally;
}

async function readTopicWithKafkaJs(kafka: KafkaClient, admin: Admin, topic: string): Promise<IdTally> {
  const tally = emptyTally();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, BigInt(entry.high)]));
  const pending = new Set([...ends].filter(([, end]) => end > 0n).map(([partition]) => partition));
  if (pending.size === 0) return tally;
  const consumer = createConsumer(kafka, { groupId: `faults-reader-${randomUUID()}` });
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition) ?? 0n;
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= end) break;
          addPayload(tally, JSON.parse(message.value?.toString('utf8') ?? 'null'));
        }
        if (BigInt(batch.lastOffset()) + 1n >= end) {
          pending.delete(batch.partition);
          if (pending.size === 0) finish();
        }
      },
    });
    const timeout = new Promise<never>((_, reject) => {
      const timer = setTimeout(() => reject(new HarnessError(ErrorCodes.runtime, `reading ${topic} back took over 180 s`)), 180_000);
      void done.then(() => clearTimeout(timer));
    });
    await Promise.race([done, timeout]);
  } finally {
    await consumer.disconnect();
  }
  return tally;
}

/** Ids in JSON Lines files of envelopes (`{"topic",…,"payload":{…}}`); a missing file holds none. */
export async function readJsonlFiles(paths: readonly string[]): Promise<IdTally> {
  const tally = emptyTally();
  for (const path of paths) {
    if (!existsSync(path)) continue;
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line.trim() === '') continue;
      addPayload(tally, (JSON.parse(line) as { payload?: unknown }).payload);
    }
  }
  return tally;
}

/** Ids in a PostgreSQL sink's table (payload jsonb). */
export async function readTable(client: pg.Client, table: string): Promise<IdTally> {
  const tally = emptyTally();
  const result = await client.query<{ id: string | null }>(`SELECT payload->>'id' AS id FROM ${table}`);
  for (const row of result.rows) addPayload(tally, { id: row.id ?? undefined });
  return tally;
}

/** Sizes of files (0 when missing): cheap progress probes while a scenario runs. */
export async function fileSizes(paths: readonly string[]): Promise<number[]> {
  return Promise.all(paths.map(async (path) => (await stat(path).catch(() => undefined))?.size ?? 0));
}

/** Ids of `expected` missing from `found`, and ids in `found` that `expected` never had. */
export function compare(expected: IdTally, found: IdTally): { missing: number; unknown: number; duplicates: number } {
  let missing = 0;
  for (const id of expected.ids) if (!found.ids.has(id)) missing += 1;
  let unknown = 0;
  for (const id of found.ids) if (!expected.ids.has(id)) unknown += 1;
  return { missing, unknown, duplicates: found.records - found.ids.size };
}
