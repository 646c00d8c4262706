/**
 * Reference solution of exercise 4: write the batch, fsync it, and only then commit the offset after
 * its last message. A crash before the commit makes the next run read that batch again (a repeat, which
 * at-least-once allows); a crash can never lose a message that was committed.
 */
import { fsyncSync, openSync, writeSync } from 'node:fs';
import { createConsumer, createKafka } from '../../shared/kafka-client.js';
import type { ArchiveArgs } from '../lib/order.js';

export async function main(args: ArchiveArgs): Promise<void> {
  const kafka = createKafka({ clientId: args.clientId, brokers: args.brokers });
  const consumer = createConsumer(kafka, { groupId: args.groupId, sessionTimeout: 6_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topic: args.topic, fromBeginning: true });

  const file = openSync(args.outFile, 'a');
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      if (batch.messages.length === 0) return;
      writeSync(file, batch.messages.map((message) => `${String(message.value)}\n`).join(''));
      fsyncSync(file);
      // The committed offset is the next one to read: one past the last message written.
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }]);
      await heartbeat();
    },
  });
}
