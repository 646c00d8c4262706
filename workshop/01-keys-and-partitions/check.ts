/**
 * Check of exercise 1: sends 1,000 orders of 20 customers through the learner's sendOrders, reads the
 * topic back and checks, per customer: keyed by its id, on one partition, in seq order.
 */
import { messageOf } from '../../shared/errors.js';
import type { Producer } from 'kafkajs';
import {
  checkKafka,
  connectCheckProducer,
  formatCount,
  formatList,
  item,
  makeOrders,
  readTopic,
  seededRandom,
  stopOnAbort,
  importExercise,
} from '../lib/check-kit.js';
import type { Check, CheckItem } from '../lib/types.js';

type Exercise = typeof import('./start.js');

const orderCount = 1_000;
const customerCount = 20;

/**
 * The producer the learner's code gets: each send starts after a short random delay. On a real
 * network, sends in flight at once can overtake each other whenever one is retried; this makes that
 * happen on every run, so code that races its sends fails here rather than in production.
 */
function withOvertaking(producer: Producer, random: () => number): Producer {
  const jitter = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, random() * 5));
  return {
    ...producer,
    send: async (record) => {
      await jitter();
      return producer.send(record);
    },
    sendBatch: async (batch) => {
      await jitter();
      return producer.sendBatch(batch);
    },
  };
}

const check: Check = async (context) => {
  const topic = context.scoped('ws01-orders');
  const { sendOrders } = await importExercise<Exercise>(context);
  const orders = makeOrders({ count: orderCount, customers: customerCount, seed: context.seed });

  const producer = await connectCheckProducer(checkKafka(context));
  const unregister = stopOnAbort(context.signal, () => producer.disconnect());
  try {
    await sendOrders(withOvertaking(producer, seededRandom(context.seed)), topic, orders);
  } catch (error) {
    return [item('sendOrders sends the orders', false, `${formatCount(orderCount)} orders sent`, `it threw: ${messageOf(error)}`)];
  } finally {
    unregister();
    await producer.disconnect();
  }

  const { records, complete } = await readTopic(context, topic);
  const items: CheckItem[] = [];

  const seen = new Map<string, number>();
  let notOrders = 0;
  for (const record of records) {
    if (record.order) seen.set(record.order.id, (seen.get(record.order.id) ?? 0) + 1);
    else notOrders += 1;
  }
  const missing = orders.filter((order) => !seen.has(order.id)).map((order) => order.id);
  const repeated = [...seen].filter(([, count]) => count > 1).map(([id]) => id);
  items.push(
    item(
      'every order arrived, once',
      missing.length === 0 && repeated.length === 0 && notOrders === 0 && complete,
      `${formatCount(orderCount)} orders, each once, each value an order as JSON`,
      `read ${formatCount(records.length)} messages: ${formatCount(missing.length)} orders missing${missing.length ? ` (${formatList(missing, 3)})` : ''}, ` +
        `${formatCount(repeated.length)} twice or more, ${formatCount(notOrders)} values that are not an order as JSON`,
      'Send every order of the list, each once, with `value: JSON.stringify(order)`.',
    ),
  );

  const ordersRead = records.flatMap((record) => (record.order ? [{ ...record, order: record.order }] : []));
  const wrongKeys = ordersRead.filter((record) => record.key !== record.order.customer);
  const firstWrong = wrongKeys[0];
  items.push(
    item(
      'each order is keyed by its customer id',
      wrongKeys.length === 0,
      'every message key is the order’s customer, e.g. customer-07',
      firstWrong
        ? `${formatCount(wrongKeys.length)} of ${formatCount(ordersRead.length)} orders have another key: ${firstWrong.order.id} of ${firstWrong.order.customer} has key ${firstWrong.key === null ? 'none' : `'${firstWrong.key}'`}`
        : `all ${formatCount(ordersRead.length)} keyed by their customer`,
      'A message has a `key` beside its `value`: Kafka hashes the key to choose the partition.',
    ),
  );

  const partitionsOf = new Map<string, Set<number>>();
  for (const { order, partition } of ordersRead) {
    const partitions = partitionsOf.get(order.customer) ?? new Set<number>();
    partitions.add(partition);
    partitionsOf.set(order.customer, partitions);
  }
  const split = [...partitionsOf].filter(([, partitions]) => partitions.size > 1).sort(([a], [b]) => a.localeCompare(b));
  const firstSplit = split[0];
  items.push(
    item(
      'every order of one customer is on one partition',
      split.length === 0 && partitionsOf.size > 0,
      `each of the ${customerCount} customers on exactly one partition`,
      firstSplit
        ? `${split.length} of ${partitionsOf.size} customers are spread over several partitions: ${firstSplit[0]} on partitions ${[...firstSplit[1]].sort((a, b) => a - b).join(', ')}`
        : `${partitionsOf.size} customers, each on one partition`,
      'Without a key, KafkaJS spreads messages over the partitions. Which field says whose order it is?',
    ),
  );

  // Order only exists within a partition: compare each order with the customer's previous one there.
  const previous = new Map<string, number>();
  const outOfOrder = new Map<string, string[]>();
  for (const { order, partition } of ordersRead) {
    const place = `${order.customer}/${partition}`;
    const before = previous.get(place);
    if (before !== undefined && order.seq <= before) {
      const list = outOfOrder.get(order.customer) ?? [];
      list.push(`partition ${partition}: seq ${order.seq} after ${before}`);
      outOfOrder.set(order.customer, list);
    }
    previous.set(place, order.seq);
  }
  const worst = [...outOfOrder].sort(([, a], [, b]) => b.length - a.length)[0];
  const customerTotal = worst ? orders.filter((order) => order.customer === worst[0]).length : 0;
  items.push(
    item(
      'each customer’s orders are read in order',
      outOfOrder.size === 0 && ordersRead.length > 0,
      'within a partition, each customer’s seq goes 1, 2, 3 …',
      worst
        ? `${worst[1].length} of ${formatCount(customerTotal)} orders of ${worst[0]} arrived out of order on ${worst[1][0]}` +
            (outOfOrder.size > 1 ? ` (and ${outOfOrder.size - 1} more customers)` : '')
        : 'every customer’s orders in seq order',
      'Many sends at once race each other. Send the orders in one call, or one send after another.',
    ),
  );
  return items;
};

export default check;
