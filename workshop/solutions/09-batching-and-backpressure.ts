/** Reference solution of exercise 9: batches of 500, at most 4 of them awaiting the broker at once. */
import type { Message, Producer } from 'kafkajs';

const batchSize = 500;
const maxInFlight = 4;

export async function sendAll(producer: Producer, topic: string, messages: readonly Message[]): Promise<void> {
  let next = 0;
  // Each lane sends one batch at a time: at most maxInFlight sends wait on the broker, and only those batches are copied out.
  const lane = async (): Promise<void> => {
    while (next < messages.length) {
      const batch = messages.slice(next, next + batchSize);
      next += batch.length;
      await producer.send({ topic, messages: batch });
    }
  };
  await Promise.all(Array.from({ length: maxInFlight }, lane));
}
