import { describe, expect, it } from 'vitest';
import { kafkaVersion } from '../../kafka/layout.js';
import { MessageGenerator } from '../../shared/message-generator.js';
import { runCli } from './helpers/cli.js';
import { createAdmin, createTestProducer, readAll } from './helpers/kafka.js';
import { createTempKafkaHome } from './helpers/local-kafka.js';
import { shouldRunWith } from './helpers/tools.js';

const runJava = shouldRunWith('java', 'install Java 17+', ['-version']);
// Client ports 13192-13194, controllers 23192-23194: clear of 9092-9094/19092-19094 and below
// Linux's ephemeral range (32768-60999).
const basePort = 13_192;
const brokers = [0, 1, 2].map((index) => `127.0.0.1:${basePort + index}`);

describe.runIf(runJava)('a 3-node KRaft cluster', () => {
  it('keeps test-topic writable with acks=all when a node stops, and loses nothing acknowledged', async () => {
    const { env } = await createTempKafkaHome();
    const up = await runCli('kafka/up.js', ['--runtime', 'jvm', '--nodes', '3', '--port', String(basePort)], { env });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`KAFKA_BROKERS=${brokers.join(',')}`);

    const admin = await createAdmin(brokers);
    const { topics } = await admin.fetchTopicMetadata({ topics: ['test-topic'] });
    expect(topics[0]?.partitions).toHaveLength(6);
    for (const partition of topics[0]?.partitions ?? []) expect(partition.replicas).toHaveLength(3);
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: 'test-topic', configNames: ['min.insync.replicas'] }],
    });
    expect(resources[0]?.configEntries[0]?.configValue).toBe('2');

    const generator = new MessageGenerator({ producer: 'failover-test', worker: 0 });
    const producer = await createTestProducer({ idempotent: true }, brokers);
    const acknowledged: string[] = [];
    const sendBatch = async (): Promise<void> => {
      const messages = Array.from({ length: 100 }, () => generator.create(0));
      await producer.send({
        topic: 'test-topic',
        acks: -1,
        messages: messages.map((message) => ({ key: message.order.customer.id, value: JSON.stringify(message) })),
      });
      acknowledged.push(...messages.map((message) => message.id));
    };
    for (let batch = 0; batch < 5; batch++) await sendBatch();

    const stop = await runCli('kafka/down.js', ['--node', '2'], { env });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/Stopped node 2 \(pid \d+\); the others keep running/);

    for (let batch = 0; batch < 5; batch++) await sendBatch();
    expect(acknowledged).toHaveLength(1_000);

    const ids = (await readAll('test-topic', { brokers })).map((record) => (JSON.parse(record.value) as { id: string }).id);
    expect(new Set(ids)).toEqual(new Set(acknowledged));
    expect(ids).toHaveLength(1_000);

    const again = await runCli('kafka/up.js', ['--runtime', 'jvm'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`Kafka ${kafkaVersion} is up (local JVM, 3 nodes)`);
  });
});
