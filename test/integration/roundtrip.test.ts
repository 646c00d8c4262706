import { describe, expect, it } from 'vitest';
import { MessageGenerator } from '../../shared/message-generator.js';
import { MessageHeaders, MessageSchema, jsonContentType, type HarnessMessage } from '../../shared/message.js';
import { runCli } from './helpers/cli.js';
import { createTestProducer, createTopic, readAll, testBrokers } from './helpers/kafka.js';
import { kcatReadAll, shouldRunWith } from './helpers/tools.js';

const runKcat = shouldRunWith('kcat', 'apt install kcat');

async function produceOrders(topic: string, count: number): Promise<HarnessMessage[]> {
  const producer = await createTestProducer({ idempotent: true });
  const generator = new MessageGenerator({ producer: 'roundtrip-test', worker: 0, seed: 7 });
  const sent = Array.from({ length: count }, (_, seq) => generator.create(0, seq));
  for (let start = 0; start < sent.length; start += 100) {
    await producer.send({
      topic,
      acks: -1,
      messages: sent.slice(start, start + 100).map((message) => ({
        key: message.order.customer.id,
        value: generator.serialize(message),
        headers: { [MessageHeaders.contentType]: jsonContentType, [MessageHeaders.sentAt]: String(Date.now()) },
      })),
    });
  }
  return sent;
}

describe('a round trip through the real broker', () => {
  it('reads back exactly the 1,000 ids it produced, each once', async () => {
    const topic = await createTopic({ partitions: 6 });
    const sent = await produceOrders(topic, 1_000);

    const read = await readAll(topic);

    const ids = read.map((record) => MessageSchema.parse(JSON.parse(record.value)).id);
    expect(ids).toHaveLength(1_000);
    expect(new Set(ids).size).toBe(1_000);
    expect(new Set(ids)).toEqual(new Set(sent.map((message) => message.id)));
    // keyed by customer: the 200 customers spread over every partition
    expect(new Set(read.map((record) => record.partition))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(read[0]?.headers[MessageHeaders.contentType]).toBe(jsonContentType);
  });

  it.runIf(runKcat)('kcat, an independent client, finds the same 1,000 ids', async () => {
    const topic = await createTopic({ partitions: 6 });
    const sent = await produceOrders(topic, 1_000);

    const records = kcatReadAll(testBrokers(), topic);

    const ids = records.map((record) => (JSON.parse(record.payload ?? '{}') as HarnessMessage).id);
    expect(ids).toHaveLength(1_000);
    expect(new Set(ids)).toEqual(new Set(sent.map((message) => message.id)));
  });

  it('npm run demo reads back only the orders it sent, skipping records that are not JSON', async () => {
    const topic = await createTopic({ partitions: 6 });
    // What a learner might type into kcat first: a reader from the beginning would choke on it.
    const producer = await createTestProducer();
    await producer.send({ topic, messages: [0, 1, 2, 3, 4, 5].map((partition) => ({ partition, value: 'not json' })) });
    const env = { KAFKA_BROKERS: testBrokers().join(','), KAFKA_TOPIC: topic };

    // Twice with the same seed, hence the same order ids: the second run must show its own records.
    for (const run of [1, 2]) {
      const demo = await runCli('kafka/demo.js', [], { env, timeoutMs: 60_000 });
      expect(demo.code, `run ${run}: ${demo.stderr}`).toBe(0);
      const firstOffset = new Map([...demo.stdout.matchAll(/partition (\d) from offset (\d+)/g)].map((match) => [Number(match[1]), Number(match[2])]));
      const rows = [...demo.stdout.matchAll(/^ {3}(\d) +(\d+) +customer-\d+ /gm)].map((match) => ({ partition: Number(match[1]), offset: Number(match[2]) }));
      expect(rows).toHaveLength(12);
      for (const row of rows) expect(row.offset).toBeGreaterThanOrEqual(firstOffset.get(row.partition) ?? Infinity);
      // Past the "not json" record and, on the second run, past the first run's orders.
      for (const offset of firstOffset.values()) expect(offset).toBeGreaterThanOrEqual(run === 1 ? 1 : 2);
    }
  });

  it('npm run demo sends more orders than one request may carry (1 MB)', async () => {
    const topic = await createTopic({ partitions: 6 });
    const demo = await runCli('kafka/demo.js', ['--count', '3000'], { env: { KAFKA_BROKERS: testBrokers().join(','), KAFKA_TOPIC: topic }, timeoutMs: 60_000 });
    expect(demo.code, demo.stderr).toBe(0);
    expect([...demo.stdout.matchAll(/^ {3}\d +\d+ +customer-\d+ /gm)]).toHaveLength(3_000);
  });
});
