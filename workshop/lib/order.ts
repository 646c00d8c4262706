/**
 * The shapes the exercises share: the order every exercise sends and reads, and what each exercise's
 * function is given. A learner's start.ts imports the ones it needs from here in one line; the
 * reference solutions, the wrong answers and the checks import the same ones, so none can drift apart.
 */
import type { KafkaMessage, Producer } from 'kafkajs';
import { z } from 'zod';
import type { KafkaClient } from '../../shared/kafka-client.js';

/** An order, sent to the topic as JSON: `{"id":"order-000042","customer":"customer-07","seq":3,"amount":12.5}`. */
export interface Order {
  /** Unique in one check run: `order-000042`. */
  id: string;
  /** `customer-07`. */
  customer: string;
  /** 1, 2, 3 … per customer: the order a customer's orders must be read in. */
  seq: number;
  amount: number;
}

/** The acks of every send: 0 (none), 1 (the leader wrote it) or -1 (every in-sync replica has it). */
export type Acks = -1 | 0 | 1;

/** Exercise 2: what startMember is given. */
export interface MemberOptions {
  kafka: KafkaClient;
  topic: string;
  groupId: string;
  /** Call it once for every order this member reads (the message's value is the order as JSON). */
  onOrder: (order: Order, partition: number) => void;
}

/** Exercise 3: what startReader is given. */
export interface ReaderOptions {
  kafka: KafkaClient;
  topic: string;
  /** KafkaJS commits offsets to a group, so even a reader of chosen partitions has one. */
  groupId: string;
  /** The partitions to read, and the only ones: e.g. [1, 4]. */
  partitions: readonly number[];
  /** Call it once for every order read (the message's value is the order as JSON). */
  onOrder: (order: Order, partition: number) => void;
}

/** Exercise 4: what main is given (the check runs the file as a process of its own). */
export interface ArchiveArgs {
  brokers: string[];
  topic: string;
  groupId: string;
  clientId: string;
  /** The file to append to: one line per message, the message's value as it is. */
  outFile: string;
}

/** Exercise 5: what startSaver is given. */
export interface SaverOptions {
  kafka: KafkaClient;
  topic: string;
  groupId: string;
  /**
   * Stores one order in another service: about 10 ms per call, a network round trip, however many
   * calls are in flight at once.
   */
  saveOrder: (order: Order) => Promise<void>;
}

/** Exercise 6: how the check creates the topic. */
export interface TopicSettings {
  /** How many brokers keep a copy of each partition. */
  replicationFactor: number;
  /** Topic configs, e.g. { 'retention.ms': '86400000' }. */
  configs: Record<string, string>;
}

/** Exercise 8: what main is given (the check runs the file as a process of its own). */
export interface ShutdownArgs {
  brokers: string[];
  topic: string;
  group: string;
  clientId: string;
  /** Append each processed order's id here, one per line: the check compares it with the commits. */
  processedFile: string;
}

/** Exercise 10: what a valid order must hold; any other field is dropped. */
export const OrderSchema = z.object({ id: z.string(), amount: z.number().positive() });
/** Exercise 10: an order as OrderSchema parses it. */
export type ValidOrder = z.infer<typeof OrderSchema>;

/** Exercise 10: throws on a value that is not JSON, or not an order. */
export function parseOrder(value: Buffer | null): ValidOrder {
  return OrderSchema.parse(JSON.parse(value?.toString('utf8') ?? ''));
}

/** Exercise 10: what handleMessage is given. */
export interface HandleArgs {
  /** The topic the message came from. */
  topic: string;
  message: KafkaMessage;
  /** A connected producer, for the dead letters. */
  producer: Producer;
  /** What the business does with a valid order. */
  processOrder: (order: ValidOrder) => Promise<void>;
}
