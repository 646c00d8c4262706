/** Reference solution of exercise 10: a message that fails to parse goes to `<topic>.dlq` with the reason, and the rest flow on. */
import { type HandleArgs, parseOrder, type ValidOrder } from '../lib/order.js';

export async function handleMessage({ topic, message, producer, processOrder }: HandleArgs): Promise<void> {
  let order: ValidOrder;
  try {
    order = parseOrder(message.value);
  } catch (error) {
    // Retrying can't fix a malformed message: park it, with the reason, where someone can look at it.
    const reason = error instanceof Error ? error.message : String(error);
    await producer.send({ topic: `${topic}.dlq`, messages: [{ key: message.key, value: message.value, headers: { 'x-error': reason } }] });
    return;
  }
  // Only parsing is caught: a failure of processOrder (a database down) may well pass on a retry.
  await processOrder(order);
}
