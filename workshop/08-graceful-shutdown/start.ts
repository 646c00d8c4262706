/**
 * Exercise 8: graceful shutdown. The check runs this file as a program of its own, lets it consume
 * some orders, then presses Ctrl-C (sends SIGINT). As it is, the program dies on the spot: work done
 * but not committed, and its seat in the group held until the session times out.
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConsumer, createKafka } from '../../shared/kafka-client.js';
// ShutdownArgs: { brokers, topic, group, clientId, processedFile }; append each processed order's id to
// processedFile, one per line: the check compares it with the commits.
import type { ShutdownArgs } from '../lib/order.js';

export async function main({ brokers, topic, group, clientId, processedFile }: ShutdownArgs): Promise<void> {
  const kafka = createKafka({ clientId, brokers });
  // A short session (Kafka's minimum is 6 s): a consumer that vanishes without leaving frees its seat sooner.
  const consumer = createConsumer(kafka, { groupId: group, sessionTimeout: 6_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });

  // TODO: on SIGINT, stop cleanly: let the message in progress finish, commit, leave the group, then exit with code 0.

  await consumer.run({
    eachMessage: async ({ message }) => {
      const { id } = JSON.parse(message.value?.toString() ?? '{}') as { id: string };
      await sleep(20); // the business work
      appendFileSync(processedFile, `${id}\n`);
    },
  });
}
