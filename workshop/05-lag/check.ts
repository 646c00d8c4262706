/**
 * Check of exercise 5: a backlog of 6,000 orders waits in the topic; the learner's saver starts, and
 * the group's lag (end offsets minus committed offsets, from the broker, as `kafka-consumer-groups`
 * computes it) must reach 0 within 15 s, with every order saved, each before its offset is committed.
 * One order at a time takes a minute; one partition at a time per partition (3 at once) still takes 20 s.
 * Commits are seen through the saver's own instrumentation events: an OffsetCommit request's send time
 * against the time each order's save finished.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer } from 'kafkajs';
import { messageOf } from '../../shared/errors.js';
import {
  checkKafka,
  formatCount,
  formatList,
  groupLag,
  readTopic,
  item,
  makeOrders,
  produceOrders,
  stopOnAbort,
  waitFor,
  runFirstHint,
  importExercise,
  connectCheckClients,
} from '../lib/check-kit.js';
import type { Check } from '../lib/types.js';

type Exercise = typeof import('./start.js');

const orderCount = 6_000;
/** What one saveOrder call costs: a round trip to another service. */
const saveMs = 10;
/**
 * Sequential saving needs orderCount × saveMs = 60 s, and the 3 partitions side by side, each one order
 * at a time, still 20 s: a saver that overlaps its waits within a batch needs a second or two.
 */
const catchUpMs = 15_000;
const sampleEveryMs = 1_000;

const check: Check = async (context) => {
  const topic = context.scoped('ws05-orders');
  const groupId = context.scoped('ws05-group');
  const { startSaver } = await importExercise<Exercise>(context);
  const orders = makeOrders({ count: orderCount, customers: 40, seed: context.seed });

  const { admin, producer } = await connectCheckClients(context);
  let saver: Consumer | undefined;
  const stopAll = () => Promise.allSettled([saver?.disconnect(), producer.disconnect(), admin.disconnect()]);
  const unregister = stopOnAbort(context.signal, stopAll);
  const saved = new Set<string>();
  /** Order id → when its save finished (Date.now(), as KafkaJS times its requests). */
  const savedAt = new Map<string, number>();
  const saveOrder = async (order: { id: string }) => {
    // No signal here: thousands of saves in flight would each add an abort listener, and 10 ms ends soon anyway.
    await sleep(saveMs);
    saved.add(order.id);
    savedAt.set(order.id, Date.now());
  };
  try {
    await produceOrders(producer, topic, orders, { signal: context.signal });
    // Which order is at which offset, to tell what each commit covers.
    const idsByPartition = new Map<number, { offset: number; id: string }[]>();
    for (const record of (await readTopic(context, topic)).records) {
      if (!record.order) continue;
      const list = idsByPartition.get(record.partition) ?? [];
      list.push({ offset: record.offset, id: record.order.id });
      idsByPartition.set(record.partition, list);
    }
    /** Per partition, how many of its orders (by offset) a commit already covered and found saved. */
    const verified = new Map<number, number>();
    const committedUnsaved: string[] = [];
    let lastCommitSentAt = 0;
    const onCommit = (partition: number, offset: number) => {
      // No OffsetCommit request seen (events not delivered): nothing to compare with, so blame nothing.
      if (lastCommitSentAt === 0) return;
      const list = idsByPartition.get(partition) ?? [];
      let index = verified.get(partition) ?? 0;
      for (; index < list.length && (list[index]?.offset ?? Infinity) < offset; index += 1) {
        const entry = list[index] as { offset: number; id: string };
        const at = savedAt.get(entry.id);
        if (at === undefined || at > lastCommitSentAt) committedUnsaved.push(`${partition}:${entry.offset}`);
      }
      verified.set(partition, Math.max(index, verified.get(partition) ?? 0));
    };

    const started = Date.now();
    try {
      saver = await startSaver({ kafka: checkKafka(context, 'ws05-saver'), topic, groupId, saveOrder });
    } catch (error) {
      return [item('startSaver starts a consumer', false, 'a running consumer', `it threw: ${messageOf(error)}`, runFirstHint(error))];
    }
    // The response to an OffsetCommit request comes before KafkaJS announces the commit: the latest send
    // time seen is then at or after this commit's own, which can only excuse a save, never blame one.
    saver.on(saver.events.REQUEST, ({ payload }) => {
      if (payload.apiName === 'OffsetCommit') lastCommitSentAt = Math.max(lastCommitSentAt, payload.sentAt);
    });
    saver.on(saver.events.COMMIT_OFFSETS, ({ payload }) => {
      for (const committed of payload.topics) {
        if (committed.topic !== topic) continue;
        for (const { partition, offset } of committed.partitions) onCommit(Number(partition), Number(offset));
      }
    });

    const samples: { atMs: number; lag: number }[] = [];
    let lastSampleAt = -Infinity;
    const caughtUp = await waitFor(
      async () => {
        const { total } = await groupLag(admin, groupId, topic);
        const atMs = Date.now() - started;
        if (total === 0 || atMs - lastSampleAt >= sampleEveryMs) {
          samples.push({ atMs, lag: total });
          lastSampleAt = atMs;
        }
        return total === 0;
      },
      { timeoutMs: catchUpMs, signal: context.signal, intervalMs: 250 },
    );
    const last = samples[samples.length - 1];
    // A dozen samples at most, the last always kept, so the trend reads on one line.
    const step = Math.ceil(samples.length / 12);
    const shown = samples.filter((_, index) => index % step === 0 || index === samples.length - 1);
    const timeline = shown.map(({ atMs, lag }) => `${(atMs / 1000).toFixed(1)} s: ${formatCount(lag)}`).join(' → ');
    const unsaved = orders.filter((order) => !saved.has(order.id)).map((order) => order.id);

    const lagItem = item(
      `the group's lag falls to 0 within ${catchUpMs / 1000} s`,
      caughtUp,
      `lag ${formatCount(orderCount)} → 0 in under ${catchUpMs / 1000} s`,
      caughtUp && last
        ? `0 after ${(last.atMs / 1000).toFixed(1)} s (${timeline})`
        : `still ${formatCount(last?.lag ?? orderCount)} after ${catchUpMs / 1000} s (${timeline})`,
      'The saver spends its time waiting on saveOrder, one order after another (per partition, even with partitions side by side). Could it wait for a whole batch at once?',
    );
    // A saver stopped before it caught up has not saved everything, through no further fault of its own.
    if (!caughtUp) return [lagItem];
    return [
      lagItem,
      item(
        'every order is saved',
        unsaved.length === 0,
        `saveOrder called for all ${formatCount(orderCount)} orders`,
        unsaved.length === 0
          ? `all ${formatCount(orderCount)} saved`
          : `${formatCount(unsaved.length)} not saved by the time the lag reached 0 (${formatList(unsaved, 3)})`,
        'Catching up means saving faster, not skipping: every order must reach saveOrder, and be saved before its offset is committed.',
      ),
      item(
        'each order is saved before its offset is committed',
        committedUnsaved.length === 0,
        'every commit covers only orders whose saveOrder had finished',
        committedUnsaved.length === 0
          ? 'every commit came after the saves it covers'
          : `${formatCount(committedUnsaved.length)} orders were committed while their saveOrder was still running (partition:offset ${formatList(committedUnsaved, 5)}): a crash at that moment loses them`,
        'KafkaJS commits once eachMessage (or eachBatch) has returned. A saveOrder that is not awaited is still running then: await every save before you return.',
      ),
    ];
  } finally {
    unregister();
    await stopAll();
  }
};

export default check;
