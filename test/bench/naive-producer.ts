/**
 * The producer most tutorials show: one `await producer.send()` per message. Here only as the
 * baseline of `npm run bench:produce`; it prints one JSON line with its figures.
 *
 *   node dist/test/bench/naive-producer.js <brokers> <topic> <count>
 */
import { createKafka, createProducer } from '../../shared/kafka-client.js';
import { createRootLogger } from '../../shared/logger.js';
import { MessageGenerator } from '../../shared/message-generator.js';
import { createLatencyHistogram, summarizeLatency } from '../../shared/latency.js';

const [brokerList = '127.0.0.1:9092', topic = 'test-topic', countText = '10000'] = process.argv.slice(2);
const brokers = brokerList.split(',');
const count = Number(countText);
const log = createRootLogger({ level: 'warn' });
const producer = createProducer(createKafka({ clientId: 'bench-naive', brokers, log }));
await producer.connect();
const generator = new MessageGenerator({ producer: 'bench-naive', worker: 0, bodyPool: 1_000 });
const histogram = createLatencyHistogram();
let bytes = 0;
const startedAt = performance.now();
for (let seq = 0; seq < count; seq++) {
  const value = generator.serialize(generator.create(0, seq));
  bytes += Buffer.byteLength(value);
  const sentAt = performance.now();
  await producer.send({ topic, acks: -1, messages: [{ value }] });
  histogram.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
}
const seconds = (performance.now() - startedAt) / 1000;
await producer.disconnect();
console.log(JSON.stringify({ records: count, recordsPerSec: count / seconds, mbPerSec: bytes / 1024 / 1024 / seconds, ...summarizeLatency(histogram) }));
