/**
 * The kafka-harness patch of KafkaJS's sendMessages (patches/kafkajs+2.2.4.patch), driven with a
 * broker stub that deduplicates by sequence number as Kafka does. A leader that writes a batch and
 * dies before answering can't be timed on a real cluster, so the broker is a stub here; the fault
 * suite's scenario 6 kills a real leader.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: KafkaJS's internals are untyped CommonJS.
type Untyped = any;
const createSendMessages: Untyped = require('kafkajs/src/producer/sendMessages.js');
const createRetry: Untyped = require('kafkajs/src/retry/index.js');
const { KafkaJSConnectionError, KafkaJSProtocolError }: Untyped = require('kafkajs/src/errors.js');
const { createErrorFromCode }: Untyped = require('kafkajs/src/protocol/error.js');

const topic = 'orders';
const outOfOrderSequenceCode = 45;

interface Batch {
  firstSequence: number;
  count: number;
}

/** One partition as every replica has it: what was written, and the last batches' sequences (Kafka keeps 5). */
class ReplicatedPartition {
  readonly values: string[] = [];
  readonly batches: Batch[] = [];
  nextSequence = 0;

  append(firstSequence: number, values: readonly string[]): void {
    const duplicate = this.batches.some((batch) => batch.firstSequence === firstSequence && batch.count === values.length);
    if (duplicate) return;
    if (firstSequence !== this.nextSequence) throw new KafkaJSProtocolError(createErrorFromCode(outOfOrderSequenceCode));
    this.values.push(...values);
    this.batches.push({ firstSequence, count: values.length });
    this.nextSequence += values.length;
  }
}

interface ProduceRequest {
  topicData: { topic: string; partitions: { partition: number; firstSequence: number; messages: { value: string }[] }[] }[];
}

function createCluster(partitionCount: number) {
  const partitions = Array.from({ length: partitionCount }, () => new ReplicatedPartition());
  const leaders = new Map<number, number>(partitions.map((_, partition) => [partition, 1]));
  /** Per broker: what its next produce does instead of answering (write, then lose the connection; or lose it first). */
  const failNext = new Map<number, 'after-write' | 'before-write'>();
  const onFailure: Array<() => void> = [];
  const brokers = new Map<number, Untyped>();
  const brokerFor = (nodeId: number) => {
    let broker = brokers.get(nodeId);
    if (!broker) {
      broker = {
        nodeId,
        produce: async ({ topicData }: ProduceRequest) => {
          const failure = failNext.get(nodeId);
          failNext.delete(nodeId);
          if (failure === 'before-write') {
            for (const callback of onFailure.splice(0)) callback();
            throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
          }
          for (const { partitions: entries } of topicData) {
            for (const entry of entries) {
              partitions[entry.partition]?.append(
                entry.firstSequence,
                entry.messages.map((message) => String(message.value)),
              );
            }
          }
          if (failure === 'after-write') {
            for (const callback of onFailure.splice(0)) callback();
            throw new KafkaJSConnectionError('Closed connection');
          }
          return {
            topics: topicData.map(({ topic: topicName, partitions: entries }) => ({
              topicName,
              partitions: entries.map(({ partition }) => ({ partition, errorCode: 0, baseOffset: '0' })),
            })),
          };
        },
      };
      brokers.set(nodeId, broker);
    }
    return broker;
  };
  const cluster = {
    targetTopics: new Set([topic]),
    addMultipleTargetTopics: async () => {},
    refreshMetadataIfNecessary: async () => {},
    refreshMetadata: async () => {},
    isConnected: () => true,
    removeBroker: () => {},
    findTopicPartitionMetadata: () => partitions.map((_, partitionId) => ({ partitionId, leader: leaders.get(partitionId) })),
    findLeaderForPartitions: (_topic: string, ids: readonly string[]) => {
      const result: Record<number, number[]> = {};
      for (const id of ids) {
        const partition = Number(id);
        const leader = leaders.get(partition) ?? 1;
        result[leader] = [...(result[leader] ?? []), partition];
      }
      return result;
    },
    findBroker: async ({ nodeId }: { nodeId: string }) => brokerFor(Number(nodeId)),
  };
  return { cluster, partitions, leaders, failNext, onFailure };
}

function createEosManager() {
  const sequences = new Map<string, number>();
  return {
    isInitialized: () => true,
    isTransactional: () => false,
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
    getSequence: (name: string, partition: number) => sequences.get(`${name}|${partition}`) ?? 0,
    updateSequence: (name: string, partition: number, increment: number) =>
      sequences.set(`${name}|${partition}`, (sequences.get(`${name}|${partition}`) ?? 0) + increment),
    acquireBrokerLock: async () => {},
    releaseBrokerLock: async () => {},
  };
}

const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function createSender(cluster: Untyped) {
  const sendMessages = createSendMessages({
    logger,
    cluster,
    partitioner: ({ message }: { message: { partition: number } }) => message.partition,
    eosManager: createEosManager(),
    retrier: createRetry({ retries: 10, initialRetryTime: 20, maxRetryTime: 50 }),
  });
  return (partition: number, values: readonly string[]) =>
    sendMessages({ acks: -1, timeout: 1_000, compression: 0, topicMessages: [{ topic, messages: values.map((value) => ({ value, partition })) }] });
}

describe('KafkaJS sendMessages, as patched', () => {
  it('never gives a batch that a dead leader wrote a second send: both are stored, once each (scenario 6 lost them)', async () => {
    const { cluster, partitions, leaders, failNext, onFailure } = createCluster(1);
    const send = createSender(cluster);
    failNext.set(1, 'after-write');
    // The leader wrote A, then died before answering: the partition moves to node 2, which has A.
    const aFailed = new Promise<void>((resolve) => onFailure.push(resolve));
    const a = send(0, ['a1', 'a2', 'a3']);
    await aFailed;
    leaders.set(0, 2);
    // Let A's failure reach its catch before B is sent: unpatched, that rolled A's sequence numbers back for B to reuse.
    await new Promise(setImmediate);
    await send(0, ['b1', 'b2', 'b3']);
    await a;
    expect(partitions[0]?.values.sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
  });

  it('sends a partition again when its new leader already answered for another partition of the same send', async () => {
    const { cluster, partitions, leaders, failNext, onFailure } = createCluster(2);
    leaders.set(1, 2);
    failNext.set(1, 'before-write');
    onFailure.push(() => leaders.set(0, 2));
    const sendBoth = createSendMessages({
      logger,
      cluster,
      partitioner: ({ message }: { message: { partition: number } }) => message.partition,
      eosManager: createEosManager(),
      retrier: createRetry({ retries: 10, initialRetryTime: 20, maxRetryTime: 50 }),
    });
    // Node 1 (partition 0) refuses the connection; node 2 answers for partition 1. Then partition 0 moves to node 2.
    const both = sendBoth({
      acks: -1,
      timeout: 1_000,
      compression: 0,
      topicMessages: [
        {
          topic,
          messages: [
            { value: 'p0', partition: 0 },
            { value: 'p1', partition: 1 },
          ],
        },
      ],
    });
    const responses = await both;
    expect(partitions[0]?.values).toEqual(['p0']);
    expect(partitions[1]?.values).toEqual(['p1']);
    expect(responses.map((entry: { partition: number }) => entry.partition).sort()).toEqual([0, 1]);
  });

  it('retries a send refused as out of order until the batch before it lands', async () => {
    const { cluster, partitions, leaders, failNext, onFailure } = createCluster(1);
    const send = createSender(cluster);
    failNext.set(1, 'before-write');
    const aFailed = new Promise<void>((resolve) => onFailure.push(resolve));
    const a = send(0, ['a1']);
    await aFailed;
    leaders.set(0, 2);
    await new Promise(setImmediate);
    // B reaches node 2 before A's retry, with the numbers after A's: refused as out of order until A lands.
    const b = send(0, ['b1']);
    await Promise.all([a, b]);
    expect(partitions[0]?.values.sort()).toEqual(['a1', 'b1']);
  });
});
