/**
 * The dashboard's live view of the cluster. One poller per watched topic, shared by every page that
 * watches it: a poll runs once a second, never two at once (the next tick waits for a slow one
 * rather than piling up), and polling stops when the last page leaves. Each poll becomes a
 * snapshot, the timeline entries that differ from the one before, and a sample of the 15-minute
 * history the charts draw. A broker that stops answering is reported as such, with the time it
 * stopped, never as zeros.
 */
import type { Admin } from 'kafkajs';
import { messageOf } from '../../shared/errors.js';
import { connectClient, createKafka, type KafkaClient } from '../../shared/kafka-client.js';
import type { Logger } from '../../shared/logger.js';
import { browserGroupPrefix } from '../engine/record-browser.js';
import { describeGroupStates, listGroupIds, listTopicNames, readCommittedOffsets, readTopicState, type GroupState } from '../engine/cluster-state.js';
import { historySeconds, RingBuffer } from './history.js';
import { diffSnapshots, type TimelineEvent } from './timeline.js';
import { buildSnapshot, toHistorySample, type AdminConsumerInfo, type HistorySample, type TopicSnapshot } from './topic-snapshot.js';

/** What a watching page is sent: the state now, and what changed since the last message. */
export interface LiveMessage {
  topic: string;
  /** When the broker last answered (the snapshot's time); null before it ever did. */
  updatedAtMs: number | null;
  /** When the last poll ended, answered or not. */
  checkedAtMs: number;
  /** Set while the broker does not answer: since when, and the last error. */
  unreachable: { sinceMs: number; error: string } | null;
  snapshot: TopicSnapshot | null;
  /** New timeline entries since the previous message (all of them in the first). */
  events: TimelineEvent[];
  /** New history samples since the previous message (all of them in the first). */
  history: HistorySample[];
}

export interface ClusterViewOptions {
  brokers: readonly string[];
  log: Logger;
  /** The admin's own running consumers, read at each poll. */
  adminConsumers: () => AdminConsumerInfo[];
  /** Time between the starts of two polls, ms; default 1000. */
  intervalMs?: number;
  /** Polls between two scans of every group's commits (to find groups that commit to a topic but have no member now); default 10. */
  discoverEvery?: number;
}

const eventsKept = 500;

class TopicWatch {
  readonly topic: string;
  readonly history = new RingBuffer<HistorySample>(historySeconds);
  readonly events = new RingBuffer<TimelineEvent>(eventsKept);
  readonly #view: ClusterView;
  readonly #listeners = new Set<(message: LiveMessage) => void>();
  #latest: TopicSnapshot | undefined;
  #unreachable: { sinceMs: number; error: string } | null = null;
  #checkedAtMs = 0;
  #polling: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: boolean = false;
  /** Groups seen committing to this topic; refreshed by a full scan every few polls. */
  #committers = new Set<string>();
  #pollsSinceScan = Number.POSITIVE_INFINITY;
  lastUsedMs = Date.now();
  /** Why the last poll failed; undefined when it succeeded. */
  lastError: unknown;

  constructor(view: ClusterView, topic: string) {
    this.#view = view;
    this.topic = topic;
  }

  get watchers(): number {
    return this.#listeners.size;
  }

  /** Polls now unless a poll is running, in which case it waits for that one: never two at once. */
  poll(): Promise<void> {
    this.#polling ??= this.#pollOnce().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  message(full: boolean, events: TimelineEvent[] = [], history: HistorySample[] = []): LiveMessage {
    return {
      topic: this.topic,
      updatedAtMs: this.#latest?.atMs ?? null,
      checkedAtMs: this.#checkedAtMs,
      unreachable: this.#unreachable,
      snapshot: this.#latest ?? null,
      events: full ? this.events.toArray() : events,
      history: full ? this.history.toArray() : history,
    };
  }

  /** Adds a listener (the first starts the poller); returns what removes it (the last one stops the poller). */
  watch(listener: (message: LiveMessage) => void): () => void {
    this.#listeners.add(listener);
    this.lastUsedMs = Date.now();
    if (!this.#running) {
      this.#running = true;
      void this.#loop();
    }
    return () => {
      this.#listeners.delete(listener);
      this.lastUsedMs = Date.now();
      if (this.#listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #loop(): Promise<void> {
    if (!this.#running) return;
    const startedMs = Date.now();
    await this.poll();
    if (!this.#running) return;
    // The next poll starts one interval after this one started, or at once if this one took longer: never sooner, never overlapping.
    const waitMs = Math.max(0, this.#view.intervalMs - (Date.now() - startedMs));
    this.#timer = setTimeout(() => void this.#loop(), waitMs);
  }

  /** Never rejects, so a poll the last page left during can't become an unhandled rejection: a failure is kept in lastError. */
  async #pollOnce(): Promise<void> {
    this.lastError = undefined;
    const before = this.#latest;
    let events: TimelineEvent[] = [];
    let sample: HistorySample;
    try {
      const snapshot = await this.#read(before);
      events = diffSnapshots(before, snapshot);
      for (const event of events) this.events.push(event);
      sample = toHistorySample(snapshot);
      this.#latest = snapshot;
      this.#unreachable = null;
    } catch (error) {
      const message = messageOf(error);
      this.#unreachable = { sinceMs: this.#unreachable?.sinceMs ?? Date.now(), error: message };
      this.#view.dropAdmin();
      // A gap in the charts rather than zeros: nothing is known about this moment.
      sample = { atMs: Date.now(), inPerSecond: null, groups: {} };
      this.lastError = error;
    } finally {
      this.#checkedAtMs = Date.now();
    }
    this.history.push(sample);
    const message = this.message(false, events, [sample]);
    for (const listener of this.#listeners) listener(message);
  }

  async #read(previous: TopicSnapshot | undefined): Promise<TopicSnapshot> {
    const admin = await this.#view.admin();
    const atMs = Date.now();
    const topicState = await readTopicState(admin, this.topic);
    const groupIds = (await listGroupIds(admin)).filter((id) => !id.startsWith(browserGroupPrefix));
    const described: GroupState[] = await describeGroupStates(admin, groupIds);
    const scan = this.#pollsSinceScan >= this.#view.discoverEvery;
    this.#pollsSinceScan = scan ? 1 : this.#pollsSinceScan + 1;
    const wanted = described.filter(
      (group) => scan || this.#committers.has(group.group) || group.members.some((member) => (member.assignment[this.topic]?.length ?? 0) > 0),
    );
    const committed = new Map<string, Map<number, number>>();
    for (const group of wanted) {
      const offsets = (await readCommittedOffsets(admin, group.group, this.topic)).get(this.topic);
      if (offsets && offsets.size > 0) {
        committed.set(group.group, offsets);
        this.#committers.add(group.group);
      } else if (scan) {
        this.#committers.delete(group.group);
      }
    }
    return buildSnapshot({
      topic: this.topic,
      atMs,
      partitions: topicState.partitions,
      groups: described,
      committed,
      adminConsumers: this.#view.adminConsumers(),
      previous,
    });
  }
}

export class ClusterView {
  readonly intervalMs: number;
  readonly discoverEvery: number;
  readonly adminConsumers: () => AdminConsumerInfo[];
  readonly #brokers: readonly string[];
  readonly #log: Logger;
  readonly #watches = new Map<string, TopicWatch>();
  readonly #sweeper: NodeJS.Timeout;
  #kafka: KafkaClient | undefined;
  #admin: Promise<Admin> | undefined;
  #closed: boolean = false;

  constructor(options: ClusterViewOptions) {
    this.#brokers = options.brokers;
    this.#log = options.log.child({ component: 'cluster-view' });
    this.adminConsumers = options.adminConsumers;
    this.intervalMs = options.intervalMs ?? 1_000;
    this.discoverEvery = options.discoverEvery ?? 10;
    // A topic nobody watched for the whole history span has nothing left to show: forget it.
    this.#sweeper = setInterval(() => {
      const oldest = Date.now() - historySeconds * 1000;
      for (const [topic, watch] of this.#watches) if (watch.watchers === 0 && watch.lastUsedMs < oldest) this.#watches.delete(topic);
    }, 60_000);
    this.#sweeper.unref();
  }

  get kafka(): KafkaClient {
    // Few retries and a short request timeout: a dead broker must show as "not answering" within seconds, not after KafkaJS's minute of retries.
    this.#kafka ??= createKafka({
      clientId: 'harness-admin-view',
      brokers: this.#brokers,
      log: this.#log,
      requestTimeoutMs: 5_000,
      retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1_000 },
    });
    return this.#kafka;
  }

  /** One connected admin client, made on first use and again after a failure. */
  admin(): Promise<Admin> {
    if (this.#closed) return Promise.reject(new Error('the cluster view is closed'));
    if (!this.#admin) {
      const client = this.kafka.admin();
      const connecting = connectClient(client, this.#brokers).then(() => client);
      connecting.catch(() => {
        if (this.#admin === connecting) this.#admin = undefined;
      });
      this.#admin = connecting;
    }
    return this.#admin;
  }

  /** Forgets the admin client after a failed poll, so the next one reconnects rather than reusing a broken connection. */
  dropAdmin(): void {
    const admin = this.#admin;
    this.#admin = undefined;
    void admin?.then((client) => client.disconnect()).catch(() => {});
  }

  #watch(topic: string): TopicWatch {
    let watch = this.#watches.get(topic);
    if (!watch) {
      watch = new TopicWatch(this, topic);
      this.#watches.set(topic, watch);
    }
    return watch;
  }

  /** The topic now: a fresh poll (or the one already running), with the events and history kept so far. Throws if the broker can't say. */
  async current(topic: string): Promise<LiveMessage> {
    const watch = this.#watch(topic);
    await watch.poll();
    if (watch.lastError !== undefined) {
      // A topic that does not exist must not stay in the map.
      if (watch.watchers === 0 && watch.history.size <= 1) this.#watches.delete(topic);
      throw watch.lastError;
    }
    return watch.message(true);
  }

  /** Calls `listener` after every poll of the topic, once a second, until the returned function is called. */
  watch(topic: string, listener: (message: LiveMessage) => void): () => void {
    return this.#watch(topic).watch(listener);
  }

  /** How many pollers run now (for tests and /api/runtime). */
  get activePollers(): number {
    return [...this.#watches.values()].filter((watch) => watch.watchers > 0).length;
  }

  async topics(): Promise<{ topic: string; partitions: number }[]> {
    const admin = await this.admin();
    const names = await listTopicNames(admin);
    if (names.length === 0) return [];
    const metadata = await admin.fetchTopicMetadata({ topics: names });
    const counts = new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
    return names.map((topic) => ({ topic, partitions: counts.get(topic) ?? 0 }));
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const watch of this.#watches.values()) watch.stop();
    this.dropAdmin();
  }
}
