/**
 * Exercise 9: batching and backpressure. The check calls sendAll with 10,000 orders and a connected
 * producer, and times it against the loop below. Make it at least 5 times faster, without ever having
 * more than 8 sends waiting for the broker at once, nor more than 1,000 messages in one send.
 */
import type { Message, Producer } from 'kafkajs';

export async function sendAll(producer: Producer, topic: string, messages: readonly Message[]): Promise<void> {
  // TODO: one await per message waits a whole round trip for each. Send batches, several at a time, but never unboundedly many.
  for (const message of messages) {
    await producer.send({ topic, messages: [message] });
  }
}
