/**
 * Check of exercise 6, on a 3-node cluster of its own: creates the topic with the learner's settings,
 * sends orders with the learner's producer settings, SIGKILLs the broker leading the most partitions
 * mid-stream, keeps sending, restarts that broker and reads everything back. Losing an acknowledged
 * write with acks 1 needs the leader to die in the millisecond before its followers copy it, so the
 * check also reads the settings back from the cluster rather than counting on that luck.
 */
import type { Admin, Producer, ProducerConfig } from 'kafkajs';
import { messageOf } from '../../shared/errors.js';
import { connectClient, createKafka, createProducer } from '../../shared/kafka-client.js';
import { formatCount, formatList, item, makeOrders, readTopic, importExercise } from '../lib/check-kit.js';
import { startThrowawayCluster, type ThrowawayCluster } from '../lib/cluster.js';
import type { Check, CheckItem } from '../lib/types.js';

const partitions = 3;
const ordersPerSend = 10;
const sendsBeforeKill = 30;
const sendsAfterKill = 30;
/** Kafka notices a killed broker after its session times out (9 s), then elects new leaders. */
const afterKillDeadlineMs = 40_000;
const clusterStartMs = 90_000;
/** ConfigResourceTypes.TOPIC in KafkaJS. */
const topicResource = 2;

interface LearnerModule {
  topicSettings?: { replicationFactor?: unknown; configs?: unknown };
  producerConfig?: ProducerConfig;
  acks?: number;
}

/** Resolves with the send's outcome, or 'timeout' once the deadline passes (the send itself cannot be cancelled). */
async function sendBefore(send: Promise<unknown>, deadline: number): Promise<'ok' | 'failed' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([
      send.then(
        () => 'ok' as const,
        () => 'failed' as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function leadersPerNode(admin: Admin, topic: string): Promise<Map<number, number>> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const counts = new Map<number, number>();
  for (const partition of topics[0]?.partitions ?? []) counts.set(partition.leader, (counts.get(partition.leader) ?? 0) + 1);
  return counts;
}

const check: Check = async (context) => {
  const learner = await importExercise<LearnerModule>(context);
  const replicationFactor = learner.topicSettings?.replicationFactor;
  const configs = learner.topicSettings?.configs;
  const { producerConfig, acks } = learner;
  if (typeof replicationFactor !== 'number' || typeof configs !== 'object' || configs === null || producerConfig === undefined || acks === undefined) {
    return [
      item(
        'the exercise exports topicSettings, producerConfig and acks',
        false,
        'the three exports of start.ts',
        'one of them is missing or has another shape',
        'Keep the exports of start.ts and change their values.',
      ),
    ];
  }

  const topic = context.scoped('ws06-orders');
  const log = context.log;
  let cluster: ThrowawayCluster | undefined;
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  // Killing the JVMs ends whatever waits on them; the finally below then deletes the home.
  const onAbort = (): void => void cluster?.close();
  context.signal.addEventListener('abort', onAbort, { once: true });
  const items: CheckItem[] = [];
  try {
    cluster = await startThrowawayCluster({ nodes: 3, log, timeoutMs: clusterStartMs, signal: context.signal });
    const brokers = cluster.brokers;
    // Generous retries: a send in flight when its leader dies waits out the failover (about 10 s).
    // The kill makes KafkaJS warn at every retry: expected here, so shown only with --verbose.
    const clientLog = log.isLevelEnabled('info') ? log : log.child({}, { level: 'error' });
    const kafka = createKafka({ clientId: context.scoped('ws06-check'), brokers, log: clientLog, retry: { retries: 30 } });
    admin = kafka.admin();
    await connectClient(admin, brokers);

    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: partitions,
            replicationFactor,
            configEntries: Object.entries(configs as Record<string, unknown>).map(([name, value]) => ({ name, value: String(value) })),
          },
        ],
      });
    } catch (error) {
      return [
        item(
          'the topic can be created with topicSettings',
          false,
          `a topic of ${partitions} partitions on a cluster of 3 brokers`,
          messageOf(error),
          'The replication factor can be at most the number of brokers.',
        ),
      ];
    }

    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const copies = (topics[0]?.partitions ?? []).map((partition) => partition.replicas.length);
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: topicResource, name: topic, configNames: ['min.insync.replicas'] }],
    });
    const minInsync = Number(resources[0]?.configEntries[0]?.configValue ?? Number.NaN);

    producer = createProducer(kafka, producerConfig);
    await connectClient(producer, brokers);
    const orders = makeOrders({ count: (sendsBeforeKill + sendsAfterKill) * ordersPerSend, customers: 30, seed: context.seed });
    const acknowledged: string[] = [];
    let next = 0;
    let lastError = '';
    const sendNext = async (deadline: number): Promise<'ok' | 'failed' | 'timeout'> => {
      const batch = orders.slice(next, next + ordersPerSend);
      next += ordersPerSend;
      const send = (producer as Producer).send({ topic, acks, messages: batch.map((order) => ({ key: order.customer, value: JSON.stringify(order) })) });
      send.catch((error: unknown) => (lastError = messageOf(error)));
      const outcome = await sendBefore(send, deadline);
      if (outcome === 'ok') acknowledged.push(...batch.map((order) => order.id));
      return outcome;
    };

    let beforeKill = 0;
    for (let send = 0; send < sendsBeforeKill && !context.signal.aborted; send++) {
      if ((await sendNext(Date.now() + 30_000)) === 'ok') beforeKill += 1;
    }

    // The broker leading the most partitions; the seed breaks a tie.
    const leaders = [...(await leadersPerNode(admin, topic))].sort(
      ([a, countA], [b, countB]) => countB - countA || ((a + context.seed) % 3) - ((b + context.seed) % 3),
    );
    const victim = leaders[0]?.[0] ?? 1;
    await cluster.killNode(victim);

    let afterKill = 0;
    let outcome: 'ok' | 'failed' | 'timeout' = 'ok';
    const deadline = Date.now() + afterKillDeadlineMs;
    while (afterKill < sendsAfterKill && next < orders.length && Date.now() < deadline && !context.signal.aborted) {
      outcome = await sendNext(deadline);
      if (outcome === 'ok') afterKill += 1;
    }
    await producer.disconnect().catch(() => {});
    producer = undefined;

    // Back up, so that a partition whose only copy was on it can be read: what is then missing was lost, not just out of reach.
    await cluster.restart(clusterStartMs, context.signal);
    const { records, complete } = await readTopic({ ...context, brokers, log: clientLog }, topic, { timeoutMs: 30_000 });
    const present = new Set(records.map((record) => record.order?.id));
    const lost = acknowledged.filter((id) => !present.has(id));

    items.push(
      item(
        'every partition has 3 copies',
        copies.length === partitions && copies.every((count) => count === 3),
        `${partitions} partitions, each on 3 brokers`,
        `copies per partition: ${copies.join(', ')}`,
        'A partition whose only copy is on the dead broker can be neither written nor read until it comes back: set replicationFactor.',
      ),
      item(
        'a write counts once 2 brokers have it',
        minInsync >= 2 && minInsync < Math.max(...copies, 0),
        'min.insync.replicas 2: two copies before an acknowledgement, and one broker may be down',
        Number.isNaN(minInsync) ? 'min.insync.replicas not found' : `min.insync.replicas ${minInsync} with ${Math.max(...copies, 0)} copies`,
        'With 1, the leader alone may acknowledge; with as many as the copies, a single dead broker stops every write.',
      ),
      item(
        'the producer waits for every in-sync replica',
        acks === -1,
        'acks -1 (all), read from your settings: acks 1 loses a write only if the leader dies in the millisecond before its followers copy it, too rare to wait for',
        `acks ${acks}`,
        'With acks 1 the leader answers as soon as it has written, before any follower has a copy.',
      ),
      item(
        'sending went on while a broker was down',
        afterKill >= sendsAfterKill,
        `${sendsAfterKill} sends acknowledged within ${afterKillDeadlineMs / 1_000} s of killing broker ${victim}`,
        `${afterKill} of ${sendsAfterKill} sends acknowledged after the kill (and ${beforeKill} of ${sendsBeforeKill} before it)${afterKill < sendsAfterKill ? `; the last send ${outcome === 'timeout' ? 'was still waiting' : `failed: ${lastError}`}` : ''}`,
        'With too few copies or too many required in sync, the partitions of the dead broker stop taking writes.',
      ),
      item(
        'no acknowledged order was lost',
        complete && acknowledged.length > 0 && lost.length === 0,
        'every acknowledged order in the topic after the failover',
        !complete
          ? `the topic could not be read to its end: ${formatCount(records.length)} records read`
          : `${formatCount(acknowledged.length)} acknowledged, ${formatCount(lost.length)} missing${lost.length > 0 ? `: ${formatList(lost)}` : ''}`,
        'An order is safe once the broker has acknowledged it only if more than one broker had it at that moment.',
      ),
    );
    return items;
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    await producer?.disconnect().catch(() => {});
    await admin?.disconnect().catch(() => {});
    await cluster?.close();
  }
};

export default check;
