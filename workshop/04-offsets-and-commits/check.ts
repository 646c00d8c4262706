/**
 * Check of exercise 4: the learner's archiver runs as a child process while 2,000 orders trickle in;
 * it is killed with SIGKILL once the file holds some of them (a crash: no chance to flush or commit),
 * then started again and left to finish. Then: every order must be in the file (nothing lost), and an
 * order may be there twice only if it was written but not yet committed when the process was killed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  committedOffsets,
  formatCount,
  formatList,
  groupLag,
  item,
  makeOrders,
  parseOrder,
  produceOrders,
  readTopic,
  stopOnAbort,
  waitFor,
  connectCheckClients,
  waitForAssignment,
} from '../lib/check-kit.js';
import { startLearnerProcess, type LearnerProcess } from '../lib/learner-process.js';
import type { Check, CheckItem } from '../lib/types.js';

const orderCount = 2_000;
/** 50 orders every 200 ms: about 8 s of stream, so there is a middle to kill it in. */
const ordersPerTick = 50;
const tickMs = 200;
/** Killed once the file holds this many lines… */
const killAtLines = 500;
/**
 * …and half a second later: a writer that buffers flushes in bursts, and a kill right after a burst
 * would find its buffer empty. Half a second on, it holds what arrived since, already committed or not.
 */
const killDelayMs = 500;
const joinTimeoutMs = 30_000;
/** The session timeout start.ts sets: how long a killed member stays in the group. */
const sessionTimeoutMs = 6_000;
const finishTimeoutMs = 45_000;
/** With every offset committed, the file must stop growing this long before a run counts as finished. */
const quietMs = 3_000;

interface FileContents {
  lines: number;
  /** Order id → times it appears. */
  ids: Map<string, number>;
  notOrders: number;
}

function readArchive(path: string): FileContents {
  const contents: FileContents = { lines: 0, ids: new Map(), notOrders: 0 };
  if (!existsSync(path)) return contents;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    contents.lines += 1;
    const order = parseOrder(line);
    if (order) contents.ids.set(order.id, (contents.ids.get(order.id) ?? 0) + 1);
    else contents.notOrders += 1;
  }
  return contents;
}

const check: Check = async (context) => {
  const topic = context.scoped('ws04-orders');
  const groupId = context.scoped('ws04-group');
  const orders = makeOrders({ count: orderCount, customers: 50, seed: context.seed });
  const dir = await mkdtemp(join(tmpdir(), `${context.scoped('ws04')}-`));
  const outFile = join(dir, 'orders.jsonl');
  const args = { brokers: [...context.brokers], topic, groupId, clientId: context.scoped('ws04-archiver'), outFile };

  const { admin, producer } = await connectCheckClients(context);
  let child: LearnerProcess | undefined;
  const stopAll = () => Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  const unregister = stopOnAbort(context.signal, stopAll);
  const failed = (name: string, expected: string, actual: string): CheckItem[] => [
    item(name, false, expected, `${actual}${child?.outputTail(5) ? `; its last output:\n${child.outputTail(5)}` : ''}`),
  ];
  try {
    child = startLearnerProcess({ file: context.file, args, signal: context.signal });
    // The stream starts once the archiver owns the partitions, so it is read as it arrives.
    const { reached: joined } = await waitForAssignment(
      admin,
      groupId,
      topic,
      (assignment) => !child?.running || (assignment.state === 'Stable' && assignment.members.some((member) => member.partitions.length > 0)),
      { timeoutMs: joinTimeoutMs, signal: context.signal },
    );
    if (!joined || !child.running)
      return failed('the archiver starts and joins its group', `a member of ${groupId}`, child.running ? 'it never joined' : 'it exited');

    const producing = (async () => {
      for (let start = 0; start < orders.length; start += ordersPerTick) {
        await produceOrders(producer, topic, orders.slice(start, start + ordersPerTick), { signal: context.signal });
        await sleep(tickMs, undefined, { signal: context.signal });
      }
    })();
    producing.catch(() => {});

    const wrote = await waitFor(() => !child?.running || readArchive(outFile).lines >= killAtLines, { timeoutMs: joinTimeoutMs, signal: context.signal });
    if (!wrote || !child.running) {
      child.kill('SIGKILL');
      const lines = readArchive(outFile).lines;
      return failed(
        'the archiver writes orders to the file',
        `${killAtLines} lines or more within ${joinTimeoutMs / 1000} s`,
        `${formatCount(lines)} lines${child.running ? '' : ', and it exited'}`,
      );
    }
    await sleep(killDelayMs, undefined, { signal: context.signal });
    child.kill('SIGKILL');
    await child.exited;
    const atKill = readArchive(outFile);
    const committedAtKill = await committedOffsets(admin, groupId, topic);

    await producing;
    child = startLearnerProcess({ file: context.file, args, signal: context.signal });
    // Finished when every order is in the file, or when everything has been committed and the file has
    // not grown for a while since (a writer that buffers still flushes what it committed).
    let lastLines = -1;
    let quietSince = Date.now();
    await waitFor(
      async () => {
        const now = readArchive(outFile);
        if (orders.every((order) => now.ids.has(order.id))) return true;
        if (now.lines !== lastLines || (await groupLag(admin, groupId, topic)).total > 0) {
          lastLines = now.lines;
          quietSince = Date.now();
          return false;
        }
        return Date.now() - quietSince >= quietMs;
      },
      { timeoutMs: finishTimeoutMs, signal: context.signal, intervalMs: 250 },
    );
    child.kill('SIGKILL');
    await child.exited;

    const final = readArchive(outFile);
    const lagAtEnd = await groupLag(admin, groupId, topic);
    const { records } = await readTopic(context, topic);
    const placeOf = new Map(records.flatMap((record) => (record.order ? [[record.order.id, record] as const] : [])));

    const lost = orders.filter((order) => !final.ids.has(order.id)).map((order) => order.id);
    const lostCommitted = lost.filter((id) => {
      const place = placeOf.get(id);
      const committed = place ? committedAtKill.get(place.partition) : null;
      return place !== undefined && committed !== null && committed !== undefined && place.offset < committed;
    });
    // At-least-once allows a repeat of what was written but not yet committed when the process died.
    const repeated = [...final.ids].filter(([, count]) => count > 1).map(([id]) => id);
    const allowed = (id: string) => {
      const place = placeOf.get(id);
      const committed = place ? (committedAtKill.get(place.partition) ?? 0) : 0;
      return atKill.ids.has(id) && place !== undefined && place.offset >= (committed ?? 0);
    };
    const unexplained = repeated.filter((id) => !allowed(id));
    const uncommittedAtKill = [...atKill.ids.keys()].filter(allowed).length;
    // The killed member stays in the group until its session times out; waiting it out lets the next
    // run (or `reset`) find the group empty.
    await waitForAssignment(admin, groupId, topic, (assignment) => assignment.members.length === 0, {
      timeoutMs: sessionTimeoutMs + 4_000,
      signal: context.signal,
      intervalMs: 500,
    });

    return [
      item(
        'killed mid-stream',
        atKill.lines > 0 && atKill.lines < orderCount,
        `SIGKILL with some but not all of the ${formatCount(orderCount)} orders in the file`,
        `killed with ${formatCount(atKill.lines)} lines in the file`,
      ),
      item(
        'no order is lost',
        lost.length === 0 && final.notOrders === 0,
        `all ${formatCount(orderCount)} orders in the file after the restart, each line an order`,
        lost.length === 0
          ? `all there${final.notOrders ? `, but ${formatCount(final.notOrders)} lines are not an order (a line cut short?)` : ''}`
          : `${formatCount(lost.length)} of ${formatCount(orderCount)} orders never reached the file (${formatList(lost, 3)})` +
              (lostCommitted.length ? `; ${formatCount(lostCommitted.length)} of them were committed before the kill without being in the file` : ''),
        'A committed offset tells the next run "done up to here". Commit a message only once its line is in the file (written and flushed).',
      ),
      item(
        'repeats only what was not yet committed',
        unexplained.length === 0,
        uncommittedAtKill === 0
          ? 'no order twice: none was in the file without being committed at the kill'
          : `at most the ${formatCount(uncommittedAtKill)} orders that were in the file but not committed at the kill appear twice`,
        `${formatCount(repeated.length)} orders appear twice or more` +
          (unexplained.length
            ? `; ${formatCount(unexplained.length)} of them had been committed, or were not yet written, when it was killed (${formatList(unexplained, 3)})`
            : ''),
        'A repeat after a crash is fine; a repeat of something committed means the same batch was written twice.',
      ),
      item(
        'commits as it goes',
        lagAtEnd.total === 0,
        'once done, the group has committed every offset (lag 0)',
        `lag at the end: ${formatCount(lagAtEnd.total)} (${lagAtEnd.partitions.map((row) => `partition ${row.partition}: ${row.committed ?? 'nothing'} of ${row.end}`).join(', ')})`,
        lagAtEnd.partitions.some((row) => row.committed !== null && row.end - row.committed === 1)
          ? "A committed offset is the next one to read, not the last one done: commit the message's offset + 1 (for a batch, lastOffset() + 1)."
          : 'Without commits a restarted consumer starts over from the beginning. Commit after each write.',
      ),
    ];
  } finally {
    unregister();
    child?.kill('SIGKILL');
    await child?.exited;
    await stopAll();
    await rm(dir, { recursive: true, force: true });
  }
};

export default check;
