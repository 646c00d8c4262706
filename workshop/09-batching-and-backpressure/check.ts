/**
 * Check of exercise 9: times the one-await-per-message loop on this machine and this broker, then the
 * learner's sendAll, through a producer that counts the sends waiting on the broker at each moment.
 * A ratio of rates, not a rate: a slow laptop or a busy broker slows both alike.
 */
import type { Message, Producer, ProducerRecord } from 'kafkajs';
import { messageOf } from '../../shared/errors.js';
import { connectClient, createKafka, createProducer } from '../../shared/kafka-client.js';
import { formatCount, makeOrders, readTopic, importExercise } from '../lib/check-kit.js';
import type { Order } from '../lib/order.js';
import type { Check } from '../lib/types.js';

const orderCount = 10_000;
const baselineCount = 1_000;
const warmUpCount = 100;
/** The solution runs 30-50 times faster than the baseline here; a learner's batching loop, 10 times at least. */
const minSpeedup = 5;
const maxSendsInFlight = 8;
const maxMessagesPerSend = 1_000;

type SendAll = (producer: Producer, topic: string, messages: readonly Message[]) => Promise<void>;

function messagesOf(orders: readonly Order[]): Message[] {
  return orders.map((order) => ({ key: order.customer, value: JSON.stringify(order) }));
}

interface SendStats {
  inFlight: number;
  maxInFlight: number;
  maxMessagesPerSend: number;
  sends: number;
  unacknowledged: number;
}

/**
 * The producer the learner is given: the real one, counting sends between their call and the
 * broker's answer. A send with acks 0 has no answer to wait for, so its messages count as unacknowledged.
 */
function countingProducer(producer: Producer, stats: SendStats): Producer {
  const track = async <T>(messageCount: number, acks: number | undefined, send: () => Promise<T>): Promise<T> => {
    stats.sends += 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    stats.maxMessagesPerSend = Math.max(stats.maxMessagesPerSend, messageCount);
    if (acks === 0) stats.unacknowledged += messageCount;
    try {
      return await send();
    } finally {
      stats.inFlight -= 1;
    }
  };
  return {
    ...producer,
    send: (record: ProducerRecord) => track(record.messages.length, record.acks, () => producer.send(record)),
    sendBatch: (batch) =>
      track(
        (batch.topicMessages ?? []).reduce((sum, entry) => sum + entry.messages.length, 0),
        batch.acks,
        () => producer.sendBatch(batch),
      ),
  };
}

const check: Check = async (context) => {
  const { sendAll } = await importExercise<{ sendAll?: SendAll }>(context);
  if (typeof sendAll !== 'function') {
    return [
      {
        name: 'the exercise exports sendAll',
        ok: false,
        expected: 'export async function sendAll(producer, topic, messages)',
        actual: 'no sendAll function exported',
        hint: 'Keep the signature of start.ts and change its body.',
      },
    ];
  }
  const topic = context.scoped('ws09-orders');
  const baselineTopic = context.scoped('ws09-baseline');
  const kafka = createKafka({ clientId: context.scoped('ws09-check'), brokers: context.brokers, log: context.log });
  const producer = createProducer(kafka);
  const onAbort = (): void => void producer.disconnect().catch(() => {});
  context.signal.addEventListener('abort', onAbort, { once: true });
  const orders = makeOrders({ count: orderCount, customers: 200, seed: context.seed });
  const stats: SendStats = { inFlight: 0, maxInFlight: 0, maxMessagesPerSend: 0, sends: 0, unacknowledged: 0 };
  let baselineRate = 0;
  let learnerRate = 0;
  let learnerError: string | undefined;
  try {
    await connectClient(producer, context.brokers);
    // The baseline runs first on the same connection, so neither run pays for connecting or fetching
    // metadata; its first sends warm the JIT and the broker up and are not timed.
    const baseline = messagesOf(makeOrders({ count: warmUpCount + baselineCount, customers: 200, seed: context.seed + 1 }));
    let started = 0;
    for (const [index, message] of baseline.entries()) {
      if (context.signal.aborted) return [];
      if (index === warmUpCount) started = performance.now();
      await producer.send({ topic: baselineTopic, messages: [message] });
    }
    baselineRate = baselineCount / ((performance.now() - started) / 1_000);

    const messages = messagesOf(orders);
    const learnerStarted = performance.now();
    try {
      await sendAll(countingProducer(producer, stats), topic, messages);
      learnerRate = orderCount / ((performance.now() - learnerStarted) / 1_000);
    } catch (error) {
      learnerError = messageOf(error);
    }
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    await producer.disconnect().catch(() => {});
  }
  if (context.signal.aborted) return [];

  const { records } = await readTopic(context, topic);
  const seen = new Set<string>();
  let duplicates = 0;
  for (const record of records) {
    const id = record.order?.id ?? '';
    if (seen.has(id)) duplicates += 1;
    seen.add(id);
  }
  const missing = orders.filter((order) => !seen.has(order.id)).length;
  const speedup = baselineRate > 0 ? learnerRate / baselineRate : 0;
  const rate = (perSecond: number): string => `${formatCount(Math.round(perSecond))} orders/s`;

  return [
    {
      name: 'sendAll returns once every order is acknowledged',
      ok: learnerError === undefined && stats.unacknowledged === 0,
      expected: `sendAll resolves after the broker acknowledged all ${formatCount(orderCount)} orders`,
      actual:
        learnerError !== undefined
          ? `sendAll threw: ${learnerError}`
          : stats.unacknowledged > 0
            ? `${stats.unacknowledged} orders sent with acks 0, which the broker never acknowledges`
            : 'it did',
      hint: 'Await every send before sendAll returns (Promise.all over the batches in flight), and keep the default acks.',
    },
    {
      name: 'every order is in the topic, once',
      ok: missing === 0 && duplicates === 0 && records.length === orderCount,
      expected: `${formatCount(orderCount)} orders, each once`,
      actual: `${formatCount(records.length)} records: ${missing} orders missing, ${duplicates} written twice`,
      hint: 'Cut the array into consecutive slices that cover it exactly once.',
    },
    {
      name: `at least ${minSpeedup} times faster than one await per message`,
      ok: learnerError === undefined && speedup >= minSpeedup,
      expected: `≥ ${rate(baselineRate * minSpeedup)} (${minSpeedup} × the ${rate(baselineRate)} of one await per message)`,
      actual:
        learnerError === undefined ? `${rate(learnerRate)}: ${speedup.toFixed(1)} × as fast, in ${formatCount(stats.sends)} sends` : 'no rate: sendAll threw',
      hint: 'Each await costs a round trip to the broker. Put hundreds of messages in one send, and keep a few sends going at once.',
    },
    {
      name: `never more than ${maxSendsInFlight} sends waiting for the broker`,
      ok: stats.sends > 0 && stats.maxInFlight <= maxSendsInFlight,
      expected: `at most ${maxSendsInFlight} sends in flight at any moment`,
      actual: `at most ${formatCount(stats.maxInFlight)} at once`,
      hint: 'Starting every send at once holds every batch in memory until the broker catches up. Run a fixed number of loops, each awaiting its own send before the next.',
    },
    {
      name: `no send carries more than ${formatCount(maxMessagesPerSend)} messages`,
      ok: stats.sends > 0 && stats.maxMessagesPerSend <= maxMessagesPerSend,
      expected: `batches of at most ${formatCount(maxMessagesPerSend)} messages`,
      actual: `the largest send carried ${formatCount(stats.maxMessagesPerSend)}`,
      hint: 'One send of everything is one huge request: the broker refuses requests above about 1 MB. Slice the array.',
    },
  ];
};

export default check;
