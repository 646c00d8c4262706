/**
 * What the exercises' checks share: seeded test orders, producing them, reading a topic back without
 * touching any group the learner uses, a group's committed offsets, assignment and lag, waiting for a
 * condition, and the builders of a checklist item. Every name a check makes goes through
 * `context.scoped`, so two learners on one cluster never see each other's topics or groups.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import kafkajs from 'kafkajs';
import type { Admin, IHeaders, Producer } from 'kafkajs';
import { createConsumer, createKafka, createProducer, type KafkaClient } from '../../shared/kafka-client.js';
import type { Order } from './order.js';
import type { CheckContext, CheckItem } from './types.js';

const { AssignerProtocol } = kafkajs;

/** `1,000`: counts read the same on every machine, whatever its locale. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** `a, b, c and 4 more`: keeps a long list of offenders to one readable line. */
export function formatList(values: readonly (string | number)[], shown = 5): string {
  if (values.length <= shown) return values.join(', ');
  return `${values.slice(0, shown).join(', ')} and ${formatCount(values.length - shown)} more`;
}

export function item(name: string, ok: boolean, expected: string, actual: string, hint?: string): CheckItem {
  return ok || hint === undefined ? { name, ok, expected, actual } : { name, ok, expected, actual, hint };
}

/** A hint for a consumer call KafkaJS refuses before run() (pause, seek, commitOffsets): undefined for any other error. */
export function runFirstHint(error: unknown): string | undefined {
  return /must be called first|not initialized/i.test(error instanceof Error ? error.message : String(error))
    ? 'KafkaJS knows the group only once consumer.run() has been called: connect, subscribe, run, and only then pause, seek or commit.'
    : undefined;
}

/** mulberry32: a small, fast PRNG, so the same seed gives the same orders on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MakeOrdersOptions {
  count: number;
  customers: number;
  seed: number;
}

/** `count` orders spread at random over `customers` customers, each customer's numbered from 1. */
export function makeOrders({ count, customers, seed }: MakeOrdersOptions): Order[] {
  const random = seededRandom(seed);
  const width = String(customers).length;
  const seqs = new Map<string, number>();
  return Array.from({ length: count }, (_, index) => {
    const customer = `customer-${String(Math.floor(random() * customers)).padStart(Math.max(2, width), '0')}`;
    const seq = (seqs.get(customer) ?? 0) + 1;
    seqs.set(customer, seq);
    return { id: `order-${String(index).padStart(6, '0')}`, customer, seq, amount: Math.round(random() * 50_000) / 100 };
  });
}

/** The order in a record's value, or undefined when the value is not one. */
export function parseOrder(value: string | Buffer | null): Order | undefined {
  if (value === null) return undefined;
  try {
    const parsed = JSON.parse(value.toString()) as Partial<Order>;
    if (typeof parsed.id !== 'string' || typeof parsed.customer !== 'string' || typeof parsed.seq !== 'number') return undefined;
    return parsed as Order;
  } catch {
    return undefined;
  }
}

/** A Kafka client for the check itself, its client id scoped to the learner. */
export function checkKafka(context: CheckContext, name = 'ws-check'): KafkaClient {
  return createKafka({ clientId: context.scoped(name), brokers: context.brokers, log: context.log });
}

/**
 * The module under test (the learner's file or the reference solution), imported as ESM. `Module`
 * is what the check expects of it: a check that must survive a missing export types each as optional.
 */
export async function importExercise<Module>(context: CheckContext): Promise<Module> {
  return (await import(pathToFileURL(context.file).href)) as Module;
}

export interface CheckClients {
  kafka: KafkaClient;
  admin: Admin;
  producer: Producer;
}

/** The check's Kafka client with its admin and producer connected; the caller disconnects both. */
export async function connectCheckClients(context: CheckContext, name?: string): Promise<CheckClients> {
  const kafka = checkKafka(context, name);
  const admin = kafka.admin();
  await admin.connect();
  const producer = await connectCheckProducer(kafka);
  return { kafka, admin, producer };
}

export interface ProduceOrdersOptions {
  /** `customer` keys each order by its customer id; `none` sends it without a key. Default `customer`. */
  key?: 'customer' | 'none';
  /** Sends each order to this partition instead of letting its key decide. */
  partitionOf?: (order: Order, index: number) => number;
  /** Orders per send. Default 500. */
  batchSize?: number;
  /** Stops sending (and resolves with what was acknowledged so far) when it aborts. */
  signal?: AbortSignal;
}

/**
 * Sends the orders in order, one send at a time, and returns the ones the broker acknowledged (all of
 * them unless a send failed or the signal aborted). The caller owns the producer.
 */
export async function produceOrders(producer: Producer, topic: string, orders: readonly Order[], options: ProduceOrdersOptions = {}): Promise<Order[]> {
  const batchSize = options.batchSize ?? 500;
  const acknowledged: Order[] = [];
  for (let start = 0; start < orders.length && !options.signal?.aborted; start += batchSize) {
    const batch = orders.slice(start, start + batchSize);
    await producer.send({
      topic,
      messages: batch.map((order, index) => ({
        key: options.key === 'none' ? null : order.customer,
        value: JSON.stringify(order),
        ...(options.partitionOf ? { partition: options.partitionOf(order, start + index) } : {}),
      })),
    });
    acknowledged.push(...batch);
  }
  return acknowledged;
}

/** Connects a producer for the check (murmur2 keys, like the Java client), to be disconnected by the caller. */
export async function connectCheckProducer(kafka: KafkaClient): Promise<Producer> {
  const producer = createProducer(kafka);
  await producer.connect();
  return producer;
}

export interface TopicRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** The value as a test order, when it is one. */
  order: Order | undefined;
}

export interface TopicContents {
  records: TopicRecord[];
  /** Per partition, the end offset when reading started: records from there on are not read. */
  endOffsets: Map<number, number>;
  /** False when the reader gave up (timeout) before reaching every end offset. */
  complete: boolean;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}

/** Per partition, the first and the next offset (`low`, `high`) of a topic. */
export async function topicOffsets(admin: Admin, topic: string): Promise<Map<number, { low: number; high: number }>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map(({ partition, low, high }) => [partition, { low: Number(low), high: Number(high) }]));
}

export interface ReadTopicOptions {
  /** Give up after this long, ms. Default 30,000. */
  timeoutMs?: number;
}

/**
 * Everything in the topic up to its end offsets as they are when called, sorted by partition and
 * offset. KafkaJS cannot read without a group, so this joins a throwaway group of its own (scoped,
 * unique), commits nothing and deletes the group afterwards: the learner's groups are never touched.
 */
export async function readTopic(context: CheckContext, topic: string, options: ReadTopicOptions = {}): Promise<TopicContents> {
  const kafka = checkKafka(context, 'ws-reader');
  const admin = kafka.admin();
  const groupId = context.scoped(`ws-reader-${randomUUID()}`);
  const consumer = createConsumer(kafka, { groupId, maxWaitTimeInMs: 250 });
  const records: TopicRecord[] = [];
  await admin.connect();
  try {
    const offsets = await topicOffsets(admin, topic);
    const endOffsets = new Map([...offsets].map(([partition, { high }]) => [partition, high]));
    const next = new Map([...offsets].map(([partition, { low }]) => [partition, low]));
    const reachedEnd = () => [...endOffsets].every(([partition, end]) => (next.get(partition) ?? 0) >= end);
    if (reachedEnd()) return { records, endOffsets, complete: true };

    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = endOffsets.get(batch.partition) ?? 0;
        let position = next.get(batch.partition) ?? 0;
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          // A chunk fetched again after a rebalance would otherwise be counted twice.
          if (offset < position || offset >= end) continue;
          const value = message.value?.toString() ?? null;
          records.push({
            partition: batch.partition,
            offset,
            key: message.key?.toString() ?? null,
            value,
            headers: headersOf(message.headers),
            order: parseOrder(value),
          });
          position = offset + 1;
        }
        // Transaction markers take offsets but are not messages: the batch's last offset covers them.
        if (!batch.isEmpty()) position = Math.max(position, Math.min(end, Number(batch.lastOffset()) + 1));
        next.set(batch.partition, position);
      },
    });
    const complete = await waitFor(reachedEnd, { timeoutMs: options.timeoutMs ?? 30_000, signal: context.signal });
    records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    return { records, endOffsets, complete };
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Runs `stop` once if the signal aborts (the time limit, Ctrl-C), so what a check started (its
 * clients, the learner's consumers) never outlives it. Returns the function that unregisters it.
 */
export function stopOnAbort(signal: AbortSignal, stop: () => Promise<unknown>): () => void {
  const onAbort = () => void stop().catch(() => {});
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

export interface WaitForOptions {
  timeoutMs: number;
  /** Aborting rejects with the signal's reason: the check is being stopped. */
  signal: AbortSignal;
  /** Default 100 ms. */
  intervalMs?: number;
}

/** Polls until the condition holds (true) or the time is up (false). */
export async function waitFor(condition: () => boolean | Promise<boolean>, options: WaitForOptions): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.signal.throwIfAborted();
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(options.intervalMs ?? 100, Math.max(0, deadline - Date.now())), undefined, { signal: options.signal });
  }
}

export interface PartitionLag {
  partition: number;
  /** The group's committed offset (the next record it will read), null when it has committed none. */
  committed: number | null;
  end: number;
  /** end − committed, or end − the partition's first offset when the group has committed none. */
  lag: number;
}

export interface GroupLagSnapshot {
  partitions: PartitionLag[];
  total: number;
}

/** The group's committed offsets on the topic, per partition (null where it has committed none). */
export async function committedOffsets(admin: Admin, group: string, topic: string): Promise<Map<number, number | null>> {
  const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return new Map((entry?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset) >= 0 ? Number(offset) : null]));
}

/**
 * How far the group is behind on every partition of the topic, from its committed offsets and the end
 * offsets (what `kafka-consumer-groups --describe` shows). A partition the group has never committed
 * counts in full, so a group that has read nothing has the whole topic as lag.
 */
export async function groupLag(admin: Admin, group: string, topic: string): Promise<GroupLagSnapshot> {
  const [offsets, committed] = await Promise.all([topicOffsets(admin, topic), committedOffsets(admin, group, topic)]);
  const partitions = [...offsets]
    .map(([partition, { low, high }]) => {
      const offset = committed.get(partition) ?? null;
      return { partition, committed: offset, end: high, lag: Math.max(0, high - (offset ?? low)) };
    })
    .sort((a, b) => a.partition - b.partition);
  return { partitions, total: partitions.reduce((sum, { lag }) => sum + lag, 0) };
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  /** Partitions of the topic asked for that the group's leader gave this member, sorted. */
  partitions: number[];
}

export interface GroupAssignment {
  /** `Stable` once a rebalance is over; `Empty`, `PreparingRebalance`, `CompletingRebalance`, `Dead`. */
  state: string;
  members: GroupMember[];
}

/** Who owns which partitions of the topic, as the broker sees the group (not as a member claims). */
export async function groupAssignment(admin: Admin, group: string, topic: string): Promise<GroupAssignment> {
  const { groups } = await admin.describeGroups([group]);
  const description = groups[0];
  const members = (description?.members ?? []).map((member) => {
    const decoded = member.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(member.memberAssignment) : null;
    return { memberId: member.memberId, clientId: member.clientId, partitions: [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b) };
  });
  return { state: description?.state ?? 'Dead', members };
}

export interface AssignmentWait {
  /** Whether the condition held before the time was up. */
  reached: boolean;
  /** The last assignment seen, to say what there was instead. */
  assignment: GroupAssignment;
}

/** Polls the broker's view of the group (every 250 ms unless told) until the condition holds on it or the time is up. */
export async function waitForAssignment(
  admin: Admin,
  group: string,
  topic: string,
  condition: (assignment: GroupAssignment) => boolean,
  options: WaitForOptions,
): Promise<AssignmentWait> {
  let assignment: GroupAssignment = { state: 'Dead', members: [] };
  const reached = await waitFor(
    async () => {
      assignment = await groupAssignment(admin, group, topic);
      return condition(assignment);
    },
    { intervalMs: 250, ...options },
  );
  return { reached, assignment };
}
