/**
 * Check of exercise 10: 500 good orders and 20 poison messages (10 not JSON, 10 JSON that is not an
 * order) at seeded positions, consumed by a group whose eachMessage calls the learner's handleMessage.
 * Decided by counting: orders processed, records in the dead-letter topic, and the group's lag. One good
 * order's processOrder fails once, as a service that is briefly down does: that order must be retried
 * and processed, not dead-lettered.
 */
import type { Consumer } from 'kafkajs';
import { messageOf } from '../../shared/errors.js';
import { connectClient, createConsumer, createProducer } from '../../shared/kafka-client.js';
import { checkKafka, formatCount, formatList, groupLag, item, makeOrders, readTopic, seededRandom, waitFor, importExercise } from '../lib/check-kit.js';
import type { HandleArgs } from '../lib/order.js';
import type { Check, CheckItem } from '../lib/types.js';

const goodCount = 500;
const poisonCount = 20;
/** A consumer that keeps up drains 520 messages in a second or two; one stuck on a poison message never does. */
const drainTimeoutMs = 30_000;

type HandleMessage = (args: HandleArgs) => Promise<void>;

/** Half cannot be parsed at all, half are JSON that breaks the order's schema. */
function poisonValue(index: number): string {
  return index % 2 === 0 ? `{"id": "poison-${index}", "amount": ` : JSON.stringify({ id: `poison-${index}`, amount: 'a lot' });
}

const check: Check = async (context) => {
  const { handleMessage } = await importExercise<{ handleMessage?: HandleMessage }>(context);
  if (typeof handleMessage !== 'function') {
    return [
      item(
        'the exercise exports handleMessage',
        false,
        'export async function handleMessage(args)',
        'no handleMessage exported',
        'Keep the exports of start.ts.',
      ),
    ];
  }
  const topic = context.scoped('ws10-orders');
  const dlqTopic = `${topic}.dlq`;
  const group = context.scoped('ws10-group');
  const kafka = checkKafka(context, 'ws10-check');
  const admin = kafka.admin();
  const producer = createProducer(kafka);
  let consumer: Consumer | undefined;
  const onAbort = (): void => void consumer?.disconnect().catch(() => {});
  context.signal.addEventListener('abort', onAbort, { once: true });

  // The poison messages go at seeded places among the good ones, keyed `poison-N` so the DLQ can be matched to them.
  const random = seededRandom(context.seed);
  const messages: { key: string; value: string }[] = makeOrders({ count: goodCount, customers: 20, seed: context.seed }).map((order) => ({
    key: order.customer,
    value: JSON.stringify(order),
  }));
  const poisonKeys: string[] = [];
  for (let index = 0; index < poisonCount; index++) {
    const key = `poison-${index}`;
    poisonKeys.push(key);
    messages.splice(Math.floor(random() * (messages.length + 1)), 0, { key, value: poisonValue(index) });
  }

  // The seed picks the good order whose first processOrder fails.
  const goodOrders = makeOrders({ count: goodCount, customers: 20, seed: context.seed });
  const flaky = goodOrders[Math.floor(random() * goodCount)] as { id: string; customer: string };
  let flakyFailed = false;
  const processed = new Map<string, number>();
  const processOrder = async (order: { id: string }): Promise<void> => {
    if (order.id === flaky.id && !flakyFailed) {
      flakyFailed = true;
      throw new Error(`processOrder(${order.id}): the order service timed out (it is back a moment later)`);
    }
    processed.set(order.id, (processed.get(order.id) ?? 0) + 1);
  };
  let handlerErrors = 0;
  let lastHandlerError = '';
  let drained = false;
  let lagLeft = goodCount + poisonCount;
  try {
    await connectClient(admin, context.brokers);
    await connectClient(producer, context.brokers);
    await producer.send({ topic, messages });

    consumer = createConsumer(kafka, { groupId: group, maxWaitTimeInMs: 250 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        try {
          await handleMessage({
            topic,
            message,
            producer,
            processOrder,
          });
        } catch (error) {
          // Rethrown: KafkaJS then retries the message, as any consumer would, which is what gets stuck.
          handlerErrors += 1;
          // Flattened and cut short: a schema error's message is a whole JSON document.
          lastHandlerError = messageOf(error).replace(/\s+/g, ' ').slice(0, 120);
          throw error;
        }
      },
    });
    drained = await waitFor(
      async () => {
        lagLeft = (await groupLag(admin, group, topic)).total;
        return lagLeft === 0;
      },
      { timeoutMs: drainTimeoutMs, signal: context.signal, intervalMs: 250 },
    );
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    await consumer?.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }

  const { records: deadLetters } = await readTopic(context, dlqTopic);
  const goodIds = goodOrders.map((order) => order.id);
  // The flaky order in the dead letters: keyed by its customer, its value the order's JSON.
  const flakyDeadLettered = deadLetters.some((record) => record.order?.id === flaky.id);
  const flakyNote = flakyDeadLettered
    ? `; ${flaky.id}, whose processOrder failed once (the service briefly down), went to the dead letters instead of being retried`
    : '';
  const notProcessed = goodIds.filter((id) => !processed.has(id));
  const processedTwice = goodIds.filter((id) => (processed.get(id) ?? 0) > 1);
  const dlqKeys = new Map<string, number>();
  for (const record of deadLetters) dlqKeys.set(record.key ?? '', (dlqKeys.get(record.key ?? '') ?? 0) + 1);
  const poisonMissing = poisonKeys.filter((key) => !dlqKeys.has(key));
  const withoutError = deadLetters.filter((record) => !new Map(Object.entries(record.headers)).get('x-error')?.trim());
  const strangers = deadLetters.filter((record) => !poisonKeys.includes(record.key ?? '') || (dlqKeys.get(record.key ?? '') ?? 0) > 1);
  const poisonValues = new Map(messages.map((message) => [message.key, message.value]));
  const altered = deadLetters.filter((record) => poisonKeys.includes(record.key ?? '') && record.value !== poisonValues.get(record.key ?? ''));

  const items: CheckItem[] = [
    item(
      'the consumer was not stuck',
      drained,
      `the group's lag reaches 0 within ${drainTimeoutMs / 1_000} s`,
      drained ? 'lag 0' : `lag still ${formatCount(lagLeft)}; handleMessage threw ${formatCount(handlerErrors)} times, last: ${lastHandlerError}`,
      'A message whose handling throws is never committed: the consumer retries it or stops, and every message behind it on its partition waits. Catch what parsing throws.',
    ),
    item(
      'every good order processed, once',
      notProcessed.length === 0 && processedTwice.length === 0,
      `${formatCount(goodCount)} orders processed once each`,
      `${formatCount(goodCount - notProcessed.length)} processed${processedTwice.length > 0 ? `, ${processedTwice.length} more than once` : ''}${flakyNote}`,
      flakyDeadLettered
        ? "Catch only what parseOrder throws. A processOrder that fails is not the message's fault: let it throw, and KafkaJS retries the message."
        : 'Call processOrder for every message that parses, and only once.',
    ),
    item(
      `every poison message in ${dlqTopic}`,
      poisonMissing.length === 0,
      `all ${poisonCount} poison messages (keys poison-0 … poison-${poisonCount - 1})`,
      poisonMissing.length === 0 ? `all ${poisonCount} there` : `${poisonMissing.length} missing: ${formatList(poisonMissing)}`,
      `Send what fails to parse to \`\${topic}.dlq\` with its key: producer.send({ topic: \`\${topic}.dlq\`, messages: [{ key: message.key, … }] }).`,
    ),
    item(
      'each dead letter says why, and is the message as it came',
      deadLetters.length > 0 && withoutError.length === 0 && altered.length === 0,
      'a non-empty x-error header; key and value unchanged',
      deadLetters.length === 0
        ? 'no dead letters'
        : `${withoutError.length} of ${deadLetters.length} without an x-error header, ${altered.length} with a changed value`,
      "Put the error's message in headers: { 'x-error': … }, and send message.value as it is, so it can be replayed once fixed.",
    ),
    item(
      'nothing else in the dead letters',
      strangers.length === 0,
      `exactly ${poisonCount} dead letters, one per poison message`,
      strangers.length === 0
        ? `${deadLetters.length} dead letters`
        : `${strangers.length} that are not poison or are there twice, e.g. key ${strangers[0]?.key ?? 'null'}${flakyNote}`,
      flakyDeadLettered
        ? "Only a message that fails to parse is a dead letter. A processOrder that fails now and then (a service briefly down) may well pass on a retry: don't catch its errors."
        : 'Only a message that fails to parse is a dead letter; a good order goes to processOrder.',
    ),
  ];
  return items;
};

export default check;
