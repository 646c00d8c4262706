/**
 * Exercise 4: offsets and commits. Run `npm run exercise -- check 4` when you think it is done.
 * The check runs this file as a process of its own (it calls main), and kills it mid-stream.
 */
import { appendFileSync } from 'node:fs';
import { createConsumer, createKafka } from '../../shared/kafka-client.js';
// ArchiveArgs: { brokers, topic, groupId, clientId, outFile }; outFile gets one line per message, its value as it is.
import type { ArchiveArgs } from '../lib/order.js';

/** Archives every message of `topic` to `outFile`, one line each, and runs until it is stopped. */
export async function main(args: ArchiveArgs): Promise<void> {
  const kafka = createKafka({ clientId: args.clientId, brokers: args.brokers });
  // A killed member keeps its partitions until its session times out: short, so the restart gets them soon.
  const consumer = createConsumer(kafka, { groupId: args.groupId, sessionTimeout: 6_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topic: args.topic, fromBeginning: true });

  // Lines wait here and go to the file once a second, in one write: fewer, bigger writes.
  let pending: string[] = [];
  setInterval(() => {
    if (pending.length === 0) return;
    appendFileSync(args.outFile, pending.join(''));
    pending = [];
  }, 1_000);

  // TODO: KafkaJS commits a batch's offsets as soon as eachMessage has returned for each of its messages.
  // Here that is before the lines reach the file: a crash in between loses them for good.
  await consumer.run({
    eachMessage: async ({ message }) => {
      pending.push(`${String(message.value)}\n`);
    },
  });
}
