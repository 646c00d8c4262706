/**
 * Reads a few records of one partition, from an offset or a timestamp, without touching any real
 * consumer group: nothing is committed, and the group it reads through is deleted afterwards.
 *
 * KafkaJS has no assign() (kafkajs#373), so it can't fetch a partition without joining a group.
 * The reader joins a throwaway group of its own (a random name, so it shares no member and no
 * offset with anyone) through the static assigner, which hands it exactly the one partition, then
 * seeks to the wanted offset. It never calls commitOffsets and runs with autoCommit off, so the
 * group never holds an offset and a real group's position can't move.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, KafkaMessage } from 'kafkajs';
import { messageOf } from '../../shared/errors.js';
import { createConsumer, type KafkaClient } from '../../shared/kafka-client.js';
import type { Logger } from '../../shared/logger.js';
import { readTopicState } from './cluster-state.js';
import { createStaticAssigner } from './static-assigner.js';

/** Where to start: an offset, or the first record at or after a timestamp (ms since the epoch). */
export type BrowseStart = { kind: 'offset'; offset: number } | { kind: 'timestamp'; timestampMs: number };

export interface BrowseRequest {
  topic: string;
  partition: number;
  start: BrowseStart;
  /** Records wanted; the reader stops at the log end if fewer are there. */
  limit: number;
  /** Longest the whole read may take, ms; what arrived by then is returned. */
  timeLimitMs: number;
}

export interface BrowsedRecord {
  partition: number;
  offset: number;
  /** The record's timestamp, ms since the epoch (create time or log-append time, as the topic keeps it). */
  timestampMs: number;
  /** UTF-8 text of the key, or null for no key. */
  key: string | null;
  headers: Record<string, string>;
  /** UTF-8 text of the value, or null for a tombstone. */
  value: string | null;
}

export interface BrowseResult {
  topic: string;
  partition: number;
  /** The offset reading began at, after a timestamp was resolved and the log range applied. */
  fromOffset: number;
  logStartOffset: number;
  logEndOffset: number;
  records: BrowsedRecord[];
  /** True when the time limit ended the read before `limit` records or the log end. */
  timedOut: boolean;
}

/** Prefix of the throwaway groups, so one left behind (the process killed mid-read) says what it was. */
export const browserGroupPrefix = 'harness-browser-';

function toRecord(partition: number, message: KafkaMessage): BrowsedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.map((part) => part.toString()).join(',') : value.toString();
  }
  return {
    partition,
    offset: Number(message.offset),
    timestampMs: Number(message.timestamp),
    key: message.key === null ? null : message.key.toString('utf8'),
    headers,
    value: message.value === null ? null : message.value.toString('utf8'),
  };
}

async function resolveStart(admin: Admin, topic: string, partition: number, start: BrowseStart, logEndOffset: number): Promise<number> {
  if (start.kind === 'offset') return start.offset;
  const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, start.timestampMs);
  // KafkaJS answers the log end for a timestamp after the last record, as Kafka's tools do.
  return Number(offsets.find((entry) => entry.partition === partition)?.offset ?? logEndOffset);
}

export async function browseRecords(kafka: KafkaClient, admin: Admin, request: BrowseRequest, log: Logger): Promise<BrowseResult> {
  const { topic, partition, limit, timeLimitMs } = request;
  const state = await readTopicState(admin, topic);
  const range = state.partitions.find((entry) => entry.partition === partition);
  if (!range) throw new RangeError(`topic ${topic} has no partition ${partition} (it has ${state.partitions.length})`);
  const wanted = await resolveStart(admin, topic, partition, request.start, range.logEndOffset);
  // Below the log start the records are gone (retention); read from the first one still there.
  const fromOffset = Math.min(Math.max(wanted, range.logStartOffset), range.logEndOffset);
  const untilOffset = Math.min(fromOffset + limit, range.logEndOffset);
  const result: BrowseResult = {
    topic,
    partition,
    fromOffset,
    logStartOffset: range.logStartOffset,
    logEndOffset: range.logEndOffset,
    records: [],
    timedOut: false,
  };
  if (fromOffset >= untilOffset) return result;

  const groupId = `${browserGroupPrefix}${randomUUID()}`;
  const consumer = createConsumer(kafka, {
    groupId,
    partitionAssigners: [createStaticAssigner(topic, [partition])],
    maxWaitTimeInMs: 200,
    // One fetch holds what a page shows; a topic of large records must not pull megabytes per partition.
    maxBytesPerPartition: 1024 * 1024,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => {
        result.timedOut = true;
        resolve();
      }, timeLimitMs);
      consumer
        .run({
          // Resolved offsets only move the fetch position; with autoCommit off they are never committed.
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (batch.partition !== partition) return;
            for (const message of batch.messages) {
              const offset = Number(message.offset);
              if (offset >= fromOffset && offset < untilOffset && result.records.length < limit) result.records.push(toRecord(partition, message));
            }
            // Compacted logs and transaction markers leave holes, so "done" is reaching the offset, not counting records.
            if (Number(batch.lastOffset()) + 1 >= untilOffset || result.records.length >= limit) resolve();
          },
        })
        .then(() => consumer.seek({ topic, partition, offset: String(fromOffset) }))
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch((error: unknown) => log.debug({ err: error }, 'record browser: disconnect failed'));
    // The group holds no offset, so nothing is lost by deleting it; left alone it would list as an empty group for a while.
    await admin.deleteGroups([groupId]).catch((error: unknown) => log.debug({ groupId, error: messageOf(error) }, 'record browser: group not deleted'));
  }
  result.records.sort((a, b) => a.offset - b.offset);
  return result;
}
