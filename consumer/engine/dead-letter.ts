/**
 * Where messages go that can't be processed (not JSON, failing --strict, failing the handler after
 * every retry, or refused for good by a sink, like an HTTP 4xx): a topic, a file, or nowhere. They are counted and never stop the consumer; the
 * offset moves past them only once they are stored.
 */
import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import type { KafkaClient } from '../../shared/kafka-client.js';
import { createProducer } from '../../shared/kafka-client.js';
import { headersToStrings } from './envelope.js';
import { JsonlFile } from './sinks/jsonl-file.js';

export const DeadLetterModes = { topic: 'topic', file: 'file', none: 'none' } as const;
export type DeadLetterMode = (typeof DeadLetterModes)[keyof typeof DeadLetterModes];
export const allowedDeadLetterModes: readonly DeadLetterMode[] = Object.values(DeadLetterModes);

export const FailureStages = { parse: 'parse', schema: 'schema', handler: 'handler', sink: 'sink' } as const;
export type FailureStage = (typeof FailureStages)[keyof typeof FailureStages];

export interface DeadLetterEntry {
  topic: string;
  partition: number;
  message: KafkaMessage;
  stage: FailureStage;
  error: string;
}

export interface DeadLetterQueue {
  readonly name: string;
  open(): Promise<void>;
  /** Stores the entries durably (acknowledged by the broker, or fsynced). */
  write(entries: readonly DeadLetterEntry[]): Promise<void>;
  close(): Promise<void>;
}

/** The dead-letter topic of a topic: `orders` → `orders.dlq`. */
export const deadLetterTopicOf = (topic: string): string => `${topic}.dlq`;

export class TopicDeadLetterQueue implements DeadLetterQueue {
  readonly name: string;
  readonly #producer: Producer;
  readonly #topic: string;

  constructor(kafka: KafkaClient, topic: string) {
    this.#topic = topic;
    this.name = `topic ${topic}`;
    this.#producer = createProducer(kafka, { idempotent: true });
  }

  open(): Promise<void> {
    return this.#producer.connect();
  }

  async write(entries: readonly DeadLetterEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const failedAt = new Date().toISOString();
    await this.#producer.send({
      topic: this.#topic,
      acks: -1,
      messages: entries.map(({ topic, partition, message, stage, error }) => ({
        key: message.key,
        value: message.value,
        headers: {
          ...(message.headers as IHeaders),
          'x-dlq-error': error,
          'x-dlq-stage': stage,
          'x-dlq-source-topic': topic,
          'x-dlq-source-partition': String(partition),
          'x-dlq-source-offset': message.offset,
          'x-dlq-failed-at': failedAt,
        },
      })),
    });
  }

  close(): Promise<void> {
    return this.#producer.disconnect();
  }
}

export class FileDeadLetterQueue implements DeadLetterQueue {
  readonly name: string;
  readonly #file: JsonlFile;

  constructor(path: string) {
    this.#file = new JsonlFile(path);
    this.name = `file ${path}`;
  }

  open(): Promise<void> {
    return this.#file.open();
  }

  async write(entries: readonly DeadLetterEntry[]): Promise<void> {
    const failedAt = new Date().toISOString();
    await this.#file.append(
      entries.map(({ topic, partition, message, stage, error }) => ({
        topic,
        partition,
        offset: Number(message.offset),
        key: message.key?.toString() ?? null,
        headers: headersToStrings(message.headers),
        value: message.value?.toString() ?? null,
        stage,
        error,
        failedAt,
      })),
    );
    await this.#file.sync();
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}

/** --dlq none: failures are counted and logged, the messages dropped. */
export class DiscardingDeadLetterQueue implements DeadLetterQueue {
  readonly name = 'none (dropped)';
  async open(): Promise<void> {}
  async write(): Promise<void> {}
  async close(): Promise<void> {}
}
