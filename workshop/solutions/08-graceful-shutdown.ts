/** Reference solution of exercise 8: SIGINT starts one shutdown: finish the message, commit, leave the group, exit 0. */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConsumer, createKafka } from '../../shared/kafka-client.js';
import type { ShutdownArgs } from '../lib/order.js';

export async function main({ brokers, topic, group, clientId, processedFile }: ShutdownArgs): Promise<void> {
  const kafka = createKafka({ clientId, brokers });
  const consumer = createConsumer(kafka, { groupId: group, sessionTimeout: 6_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });

  // The handler only starts the shutdown. disconnect() lets the message in progress finish, commits
  // the offsets resolved so far and leaves the group, so the others take the partitions over at once.
  process.once('SIGINT', () => {
    consumer.disconnect().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });

  await consumer.run({
    eachMessage: async ({ message }) => {
      const { id } = JSON.parse(message.value?.toString() ?? '{}') as { id: string };
      await sleep(20);
      // Written before eachMessage returns: KafkaJS commits an offset only after that, so nothing committed is unwritten.
      appendFileSync(processedFile, `${id}\n`);
    },
  });
}
