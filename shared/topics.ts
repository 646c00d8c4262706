/**
 * Topic administration through the KafkaJS admin client. Brokers run with auto-creation off, so a
 * topic exists only because something here (or the user) created it on purpose.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from './logger.js';

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
  /** Topic-level configs, e.g. `{ 'min.insync.replicas': '2' }`. */
  configs?: Record<string, string>;
}

export interface TopicSummary {
  name: string;
  partitions: number;
  replicationFactor: number;
}

/**
 * Creates the topic unless it exists. An existing topic is left as it is (its data matters more
 * than our defaults); a partition count that differs is logged.
 */
export async function ensureTopic(admin: Admin, spec: TopicSpec, log: Logger): Promise<'created' | 'exists'> {
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic: spec.topic,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor,
        configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
      },
    ],
  });
  if (created) {
    log.info({ topic: spec.topic, partitions: spec.partitions, replicationFactor: spec.replicationFactor }, 'topic created');
    return 'created';
  }
  const [existing] = await describeTopics(admin, [spec.topic]);
  if (existing && existing.partitions !== spec.partitions) {
    log.warn({ topic: spec.topic, partitions: existing.partitions, wanted: spec.partitions }, 'topic exists with a different partition count; left as it is');
  }
  return 'exists';
}

/** Partition count and replication factor of the named topics (all non-internal ones by default). */
export async function describeTopics(admin: Admin, names?: readonly string[]): Promise<TopicSummary[]> {
  const topicNames = names ?? (await admin.listTopics()).filter((name) => !name.startsWith('__'));
  if (topicNames.length === 0) return [];
  const { topics } = await admin.fetchTopicMetadata({ topics: [...topicNames] });
  return topics
    .map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.length,
      replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The partition count of a topic, or undefined when it does not exist. */
export async function partitionCount(admin: Admin, topic: string): Promise<number | undefined> {
  const names = await admin.listTopics();
  if (!names.includes(topic)) return undefined;
  const [summary] = await describeTopics(admin, [topic]);
  return summary?.partitions;
}
