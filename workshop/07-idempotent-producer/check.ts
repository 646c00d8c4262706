/**
 * Check of exercise 7: the learner's producer configuration sends 300 orders through a proxy that
 * loses the broker's answer to every fourth produce request after the broker wrote it. KafkaJS then
 * retries a send the broker already has; only an idempotent producer keeps that from writing twice.
 */
import type { Producer, ProducerConfig } from 'kafkajs';
import { messageOf } from '../../shared/errors.js';
import { connectClient, createKafka, createProducer } from '../../shared/kafka-client.js';
import { makeOrders, readTopic, importExercise } from '../lib/check-kit.js';
import { AnswerDroppingProxy } from '../lib/faults.js';
import type { Check, CheckItem } from '../lib/types.js';

const sends = 60;
const ordersPerSend = 5;
/** Every fourth produce request (retries included) loses its answer: about 20 retried sends, each a duplicate without idempotence. */
const dropEvery = 4;

interface LearnerModule {
  producerConfig?: ProducerConfig;
  acks?: number;
}

const check: Check = async (context) => {
  const { producerConfig, acks } = await importExercise<LearnerModule>(context);
  if (producerConfig === undefined || acks === undefined) {
    return [
      {
        name: 'the exercise exports producerConfig and acks',
        ok: false,
        expected: 'export const producerConfig = {…} and export const acks = …',
        actual: `producerConfig is ${producerConfig === undefined ? 'missing' : 'there'}, acks is ${acks === undefined ? 'missing' : 'there'}`,
        hint: 'Keep the two exports of start.ts and change their values.',
      },
    ];
  }

  const topic = context.scoped('ws07-orders');
  const log = context.log;
  const directKafka = createKafka({ clientId: context.scoped('ws07-check'), brokers: context.brokers, log });
  const admin = directKafka.admin();
  await connectClient(admin, context.brokers);
  let proxy: AnswerDroppingProxy | undefined;
  let learnerProducer: Producer | undefined;
  // A send in the middle of its retries does not look at the signal: closing its connections ends it.
  const onAbort = (): void => {
    void proxy?.close();
    void learnerProducer?.disconnect().catch(() => {});
  };
  context.signal.addEventListener('abort', onAbort, { once: true });
  const orders = makeOrders({ count: sends * ordersPerSend, customers: 20, seed: context.seed });
  const acknowledged: string[] = [];
  let sendError: string | undefined;
  try {
    const { brokers } = await admin.describeCluster();
    // The seed picks which of every four produce requests loses its answer.
    const phase = context.seed % dropEvery;
    proxy = await AnswerDroppingProxy.start({ brokers, shouldDropAnswer: (request) => request % dropEvery === phase });
    const kafka = createKafka({ clientId: context.scoped('ws07-producer'), brokers: context.brokers, log, socketFactory: proxy.socketFactory });
    learnerProducer = createProducer(kafka, producerConfig);
    try {
      await connectClient(learnerProducer, context.brokers);
      for (let start = 0; start < orders.length && !context.signal.aborted; start += ordersPerSend) {
        const batch = orders.slice(start, start + ordersPerSend);
        try {
          await learnerProducer.send({ topic, acks, messages: batch.map((order) => ({ key: order.customer, value: JSON.stringify(order) })) });
          acknowledged.push(...batch.map((order) => order.id));
        } catch (error) {
          sendError = messageOf(error);
          break;
        }
      }
    } finally {
      await learnerProducer.disconnect().catch(() => {});
    }
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    await proxy?.close();
    await admin.disconnect().catch(() => {});
  }

  if (context.signal.aborted) return [];
  const { records } = await readTopic(context, topic);
  const copies = new Map<string, number>();
  for (const record of records) {
    const id = record.order?.id ?? '';
    copies.set(id, (copies.get(id) ?? 0) + 1);
  }
  const missing = acknowledged.filter((id) => !copies.has(id));
  const duplicated = [...copies].filter(([, count]) => count > 1);
  const total = sends * ordersPerSend;
  const dropped = proxy?.droppedAnswers ?? 0;
  // A number, or KafkaJS reads it as "no limit".
  const inFlightLimit = typeof producerConfig.maxInFlightRequests === 'number' ? producerConfig.maxInFlightRequests : undefined;

  const items: CheckItem[] = [
    {
      name: 'every send was acknowledged',
      ok: sendError === undefined && acknowledged.length === total,
      expected: `${total} orders acknowledged in ${sends} sends`,
      actual: sendError === undefined ? `${acknowledged.length} acknowledged` : `${acknowledged.length} acknowledged, then a send failed: ${sendError}`,
      hint: /idempotent/i.test(sendError ?? '')
        ? 'KafkaJS refuses to send for an idempotent producer unless acks is -1 (all).'
        : `The network here loses one answer in ${dropEvery}: a send fails when its retries run out. Keep KafkaJS's retries (they are how a lost answer is recovered) and make them harmless.`,
    },
    {
      name: 'the network really lost answers, so sends were retried',
      ok: dropped >= 3,
      expected: `the answer to one produce request in ${dropEvery} lost after the broker wrote it`,
      actual:
        dropped === 0 && acknowledged.length === 0
          ? 'no answer lost: nothing was sent (see the first item)'
          : `${dropped} answer${dropped === 1 ? '' : 's'} lost${sendError === undefined ? '' : ' before the sends stopped (see the first item)'}`,
    },
    {
      name: 'at most 5 requests in flight',
      ok: inFlightLimit !== undefined && inFlightLimit >= 1 && inFlightLimit <= 5,
      expected: 'maxInFlightRequests between 1 and 5',
      actual: inFlightLimit === undefined ? 'maxInFlightRequests not set: KafkaJS then sets no limit' : `maxInFlightRequests: ${inFlightLimit}`,
      hint: 'The broker remembers only the last 5 batches of each producer: a retry older than that is no longer recognised.',
    },
    {
      name: 'nothing acknowledged is missing',
      ok: missing.length === 0 && acknowledged.length > 0,
      expected: 'every acknowledged order in the topic',
      actual:
        acknowledged.length === 0
          ? 'nothing was acknowledged (see the first item)'
          : missing.length === 0
            ? `all ${acknowledged.length} acknowledged orders are there`
            : `${missing.length} acknowledged orders are missing, e.g. ${missing[0]}`,
    },
    {
      name: 'no order was written twice',
      ok: duplicated.length === 0 && records.length > 0,
      expected: `${total} records for ${total} orders, each once`,
      actual:
        records.length === 0
          ? 'no records: nothing was written (see the first item)'
          : duplicated.length === 0
            ? `${records.length} records, no order twice`
            : `${records.length} records: ${duplicated.length} orders written more than once (e.g. ${duplicated[0]?.[0]}, ${duplicated[0]?.[1]} times), one per retried send`,
      hint:
        duplicated.length === 0
          ? undefined
          : 'A retried send is written again unless the producer is idempotent: the broker then recognises it by its producer id and sequence number.',
    },
  ];
  return items;
};

export default check;
