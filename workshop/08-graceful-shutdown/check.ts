/**
 * Check of exercise 8: runs the learner's consumer as a process of its own, sends it SIGINT (Ctrl-C)
 * once it has processed some orders, then compares what it wrote to its file with what the group
 * committed, and asks the broker whether the group still has members.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectClient } from '../../shared/kafka-client.js';
import {
  checkKafka,
  committedOffsets,
  connectCheckProducer,
  formatCount,
  formatList,
  item,
  makeOrders,
  produceOrders,
  readTopic,
  waitFor,
  waitForAssignment,
} from '../lib/check-kit.js';
import { startLearnerProcess } from '../lib/learner-process.js';
import type { Check, CheckItem } from '../lib/types.js';

const orderCount = 600;
/** At 20 ms an order the learner's consumer needs seconds for all 600: the signal lands mid-stream. */
const processedBeforeSignal = 60;
const exitWithinMs = 10_000;
/** A member that left is gone at once; one that vanished stays until its 6 s session times out. */
const leaveWithinMs = 2_000;

async function processedIds(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.trim() !== '');
}

const check: Check = async (context) => {
  const topic = context.scoped('ws08-orders');
  const group = context.scoped('ws08-group');
  const kafka = checkKafka(context, 'ws08-check');
  const admin = kafka.admin();
  const folder = await mkdtemp(join(tmpdir(), 'harness-ws08-'));
  const processedFile = join(folder, 'processed.txt');
  try {
    await connectClient(admin, context.brokers);
    const producer = await connectCheckProducer(kafka);
    try {
      await produceOrders(producer, topic, makeOrders({ count: orderCount, customers: 30, seed: context.seed }), { signal: context.signal });
    } finally {
      await producer.disconnect();
    }

    const learner = startLearnerProcess({
      file: context.file,
      args: { brokers: context.brokers, topic, group, clientId: context.scoped('ws08-consumer'), processedFile },
      signal: context.signal,
    });
    const started = await waitFor(async () => (await processedIds(processedFile)).length >= processedBeforeSignal || !learner.running, {
      timeoutMs: 30_000,
      signal: context.signal,
      intervalMs: 50,
    });
    if (!started || !learner.running) {
      learner.kill('SIGKILL');
      const exit = await learner.exited;
      return [
        item(
          'the consumer runs and processes orders',
          false,
          `at least ${processedBeforeSignal} order ids in the processed file within 30 s`,
          `${(await processedIds(processedFile)).length} ids${learner.running ? '' : `; it exited (code ${exit.code}, signal ${exit.signal})`}: ${learner.outputTail(3)}`,
          'Run `npm run exercise -- check 8` again after fixing what the output says; main must keep consuming until SIGINT.',
        ),
      ];
    }

    const signalledAt = Date.now();
    learner.kill('SIGINT');
    const exit = await Promise.race([learner.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), exitWithinMs))]);
    const exitMs = Date.now() - signalledAt;
    if (exit === undefined) learner.kill('SIGKILL');
    const finalExit = exit ?? (await learner.exited);

    const { reached: left, assignment } = await waitForAssignment(admin, group, topic, (current) => current.members.length === 0, {
      timeoutMs: leaveWithinMs,
      signal: context.signal,
      intervalMs: 200,
    });

    // Which record each processed id was, so the file can be compared with the committed offsets.
    const { records } = await readTopic(context, topic);
    const whereIs = new Map(records.map((record) => [record.order?.id ?? '', record]));
    const processed = await processedIds(processedFile);
    const committed = await committedOffsets(admin, group, topic);
    const processedOffsets = new Map<number, Set<number>>();
    for (const id of processed) {
      const record = whereIs.get(id);
      if (record === undefined) continue;
      const offsets = processedOffsets.get(record.partition) ?? new Set<number>();
      offsets.add(record.offset);
      processedOffsets.set(record.partition, offsets);
    }
    // Per partition: offsets below the commit that were never processed, and processed offsets at or above it.
    const committedNotProcessed: string[] = [];
    const processedNotCommitted: string[] = [];
    for (const record of records) {
      // null or absent: the group committed nothing on that partition, which is offset 0 of a fresh topic.
      const commit = committed.get(record.partition) ?? 0;
      const done = processedOffsets.get(record.partition)?.has(record.offset) === true;
      if (record.offset < commit && !done) committedNotProcessed.push(`${record.partition}:${record.offset}`);
      if (record.offset >= commit && done) processedNotCommitted.push(`${record.partition}:${record.offset}`);
    }
    const duplicates = processed.length - new Set(processed).size;
    const totalCommitted = [...committed.values()].reduce<number>((sum, offset) => sum + (offset ?? 0), 0);

    const items: CheckItem[] = [
      item(
        `exits with code 0 within ${exitWithinMs / 1_000} s of Ctrl-C`,
        exit !== undefined && finalExit.code === 0,
        'exit code 0',
        exit === undefined
          ? `still running after ${exitWithinMs / 1_000} s (killed)`
          : finalExit.signal !== null
            ? `killed by ${finalExit.signal} after ${exitMs} ms: nothing handled the signal`
            : `exit code ${finalExit.code} after ${exitMs} ms`,
        "Handle the signal: process.once('SIGINT', …), and exit 0 once the consumer has disconnected.",
      ),
      item(
        'the consumer left the group',
        left,
        `no members left in ${group} within ${leaveWithinMs / 1_000} s`,
        left
          ? `the group is ${assignment.state}`
          : `${assignment.members.length} member(s) still there (${assignment.state}): the partitions wait for its session to time out`,
        'consumer.disconnect() leaves the group; a process that just dies does not.',
      ),
      item(
        'nothing processed is left uncommitted',
        processedNotCommitted.length === 0 && processed.length > 0,
        'every processed order below the committed offset of its partition',
        `${formatCount(processed.length)} processed, ${formatCount(totalCommitted)} committed; ${formatCount(processedNotCommitted.length)} processed above the commit${processedNotCommitted.length > 0 ? ` (partition:offset ${formatList(processedNotCommitted)}): processed again after a restart` : ''}`,
        'Stop through consumer.disconnect(): it commits what the messages in progress resolved before leaving.',
      ),
      item(
        'nothing committed is unprocessed',
        committedNotProcessed.length === 0 && duplicates === 0,
        'every committed offset written to the processed file, once',
        `${formatCount(committedNotProcessed.length)} committed but never processed${committedNotProcessed.length > 0 ? ` (${formatList(committedNotProcessed)})` : ''}, ${duplicates} processed twice`,
        'Write the id before eachMessage returns: KafkaJS commits an offset once its eachMessage has resolved.',
      ),
    ];
    // The next run starts by deleting the group, which the broker refuses while a vanished member still holds a seat.
    if (!left) await waitForAssignment(admin, group, topic, (current) => current.members.length === 0, { timeoutMs: 10_000, signal: context.signal });
    return items;
  } finally {
    await admin.disconnect().catch(() => {});
    await rm(folder, { recursive: true, force: true });
  }
};

export default check;
