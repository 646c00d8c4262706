/**
 * Exercise 4, a wrong answer: writes and fsyncs each batch before committing, but commits the batch's
 * last offset instead of the next one to read, so every partition ends one message short (lag 1 each).
 */
import { fsyncSync, openSync, writeSync } from 'node:fs';
import { createConsumer, createKafka } from '../../../shared/kafka-client.js';
import type { ArchiveArgs } from '../../../workshop/lib/order.js';

export async function main(args: ArchiveArgs): Promise<void> {
  const kafka = createKafka({ clientId: args.clientId, brokers: args.brokers });
  const consumer = createConsumer(kafka, { groupId: args.groupId, sessionTimeout: 6_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topic: args.topic, fromBeginning: true });
  const fd = openSync(args.outFile, 'a');
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      if (batch.messages.length === 0) return;
      writeSync(fd, batch.messages.map((message) => `${String(message.value)}\n`).join(''));
      fsyncSync(fd);
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: batch.lastOffset() }]);
    },
  });
}
