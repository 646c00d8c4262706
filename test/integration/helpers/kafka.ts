/**
 * Factories for broker tests. Each registers its own cleanup with the running test, so a test
 * leaves no topic, client or group behind even when it fails.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, IHeaders, KafkaMessage, Producer, ProducerConfig } from 'kafkajs';
import { inject, onTestFinished } from 'vitest';
import { createKafka, createProducer, type KafkaClient } from '../../../shared/kafka-client.js';
import { createRootLogger } from '../../../shared/logger.js';

export const testLog = createRootLogger({ level: 'warn' }).child({ component: 'test' });

export function testBrokers(): string[] {
  return inject('brokers');
}

export function testKafka(clientId = 'harness-test', brokers = testBrokers()): KafkaClient {
  return createKafka({ clientId, brokers, log: testLog });
}

/** A connected admin client, disconnected when the test ends. */
export async function createAdmin(brokers = testBrokers()): Promise<Admin> {
  const admin = testKafka('harness-test-admin', brokers).admin();
  await admin.connect();
  onTestFinished(() => admin.disconnect());
  return admin;
}

/** A connected producer (murmur2 partitioner), disconnected when the test ends. */
export async function createTestProducer(config: ProducerConfig = {}, brokers = testBrokers()): Promise<Producer> {
  const producer = createProducer(testKafka('harness-test-producer', brokers), config);
  await producer.connect();
  onTestFinished(() => producer.disconnect());
  return producer;
}

export interface TopicOptions {
  partitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
  brokers?: string[];
}

/** A topic with a unique name, deleted when the test ends. */
export async function createTopic(options: TopicOptions = {}): Promise<string> {
  const { partitions = 6, replicationFactor = 1, configs = {}, brokers = testBrokers() } = options;
  const topic = `test-${randomUUID()}`;
  const admin = testKafka('harness-test-topics', brokers).admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: partitions, replicationFactor, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
  });
  onTestFinished(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });
  return topic;
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) result[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return result;
}

function toReadMessage(partition: number, message: KafkaMessage): ReadMessage {
  return {
    partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString(),
    value: message.value?.toString() ?? '',
    headers: headersToStrings(message.headers),
  };
}

/**
 * Every message in the topic up to the end offsets seen when called, in partition then offset
 * order. Reads through a throwaway consumer group, from the beginning.
 */
export async function readAll(topic: string, options: { brokers?: string[]; timeoutMs?: number } = {}): Promise<ReadMessage[]> {
  const { brokers = testBrokers(), timeoutMs = 60_000 } = options;
  const kafka = testKafka('harness-test-reader', brokers);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) if (BigInt(high) > 0n) ends.set(partition, BigInt(high));
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return [];

  const consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}` });
  const read: ReadMessage[] = [];
  const remaining = new Set(ends.keys());
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`readAll(${topic}) timed out with partitions ${[...remaining].join(',')} unfinished (${read.length} read)`)),
        timeoutMs,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = ends.get(batch.partition);
            if (end === undefined) return;
            for (const message of batch.messages) {
              if (BigInt(message.offset) < end) read.push(toReadMessage(batch.partition, message));
            }
            const next = BigInt(batch.lastOffset()) + 1n;
            if (next >= end) remaining.delete(batch.partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return read.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
