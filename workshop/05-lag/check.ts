/**
 * Check of exercise 5: a backlog of 6,000 orders waits in the topic; the learner's saver starts, and
 * the group's lag (end offsets minus committed offsets, from the broker, as `kafka-consumer-groups`
 * computes it) must reach 0 within 30 s, with every order saved. One order at a time takes a minute.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { Consumer } from 'kafkajs';
import { messageOf } from '../../shared/errors.js';
import {
  checkKafka,
  connectCheckProducer,
  formatCount,
  formatList,
  groupLag,
  item,
  makeOrders,
  produceOrders,
  stopOnAbort,
  waitFor,
} from '../lib/check-kit.js';
import type { Check } from '../lib/types.js';

type Exercise = typeof import('./start.js');

const orderCount = 6_000;
/** What one saveOrder call costs: a round trip to another service. */
const saveMs = 10;
/** Sequential saving needs orderCount × saveMs = 60 s: half of that is plenty for a saver that overlaps its waits. */
const catchUpMs = 30_000;
const sampleEveryMs = 1_000;

const check: Check = async (context) => {
  const topic = context.scoped('ws05-orders');
  const groupId = context.scoped('ws05-group');
  const { startSaver } = (await import(pathToFileURL(context.file).href)) as Exercise;
  const orders = makeOrders({ count: orderCount, customers: 40, seed: context.seed });

  const kafka = checkKafka(context);
  const admin = kafka.admin();
  await admin.connect();
  const producer = await connectCheckProducer(kafka);
  let saver: Consumer | undefined;
  const stopAll = () => Promise.allSettled([saver?.disconnect(), producer.disconnect(), admin.disconnect()]);
  const unregister = stopOnAbort(context.signal, stopAll);
  const saved = new Set<string>();
  const saveOrder = async (order: { id: string }) => {
    // No signal here: thousands of saves in flight would each add an abort listener, and 10 ms ends soon anyway.
    await sleep(saveMs);
    saved.add(order.id);
  };
  try {
    await produceOrders(producer, topic, orders, { signal: context.signal });
    const started = Date.now();
    try {
      saver = await startSaver({ kafka: checkKafka(context, 'ws05-saver'), topic, groupId, saveOrder });
    } catch (error) {
      return [item('startSaver starts a consumer', false, 'a running consumer', `it threw: ${messageOf(error)}`)];
    }

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
      'The saver spends its time waiting on saveOrder, one order after another. Could it wait for many at once?',
    );
    // A saver stopped before it caught up has not saved everything, through no further fault of its own.
    if (!caughtUp) return [lagItem];
    return [
      lagItem,
      item(
        'every order is saved',
        unsaved.length === 0,
        `saveOrder called for all ${formatCount(orderCount)} orders`,
        unsaved.length === 0 ? `all ${formatCount(orderCount)} saved` : `${formatCount(unsaved.length)} not saved (${formatList(unsaved, 3)})`,
        'Catching up means saving faster, not skipping: every order must reach saveOrder, and be saved before its offset is committed.',
      ),
    ];
  } finally {
    unregister();
    await stopAll();
  }
};

export default check;
