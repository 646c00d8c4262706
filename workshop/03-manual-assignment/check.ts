/**
 * Check of exercise 3: 600 orders go to the 6 partitions, 100 each; the learner's reader, told to read
 * partitions 1 and 4, must hand over every order of those and none of the others. The group's commits
 * show whether it fetched the others and threw them away, which is reading them all the same; the
 * broker's view of the group shows whether it owns only its own (pausing the others still holds them).
 */
import type { Consumer } from 'kafkajs';
import { messageOf } from '../../shared/errors.js';
import {
  checkKafka,
  committedOffsets,
  formatCount,
  groupAssignment,
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

const partitionCount = 6;
const wanted = [1, 4] as const;
const orderCount = 600;
const readTimeoutMs = 20_000;

const check: Check = async (context) => {
  const topic = context.scoped('ws03-orders');
  const groupId = context.scoped('ws03-group');
  const { startReader } = await importExercise<Exercise>(context);
  const others = Array.from({ length: partitionCount }, (_, partition) => partition).filter((partition) => !(wanted as readonly number[]).includes(partition));
  const orders = makeOrders({ count: orderCount, customers: 30, seed: context.seed });
  const partitionOf = new Map(orders.map((order, index) => [order.id, index % partitionCount]));
  const expected = orders.filter((order) => (wanted as readonly number[]).includes(partitionOf.get(order.id) ?? -1));

  const { admin, producer } = await connectCheckClients(context);
  let reader: Consumer | undefined;
  const stopAll = () => Promise.allSettled([reader?.disconnect(), producer.disconnect(), admin.disconnect()]);
  const unregister = stopOnAbort(context.signal, stopAll);
  try {
    await produceOrders(producer, topic, orders, { partitionOf: (_, index) => index % partitionCount, signal: context.signal });
    const seen = new Map<number, Set<string>>();
    try {
      reader = await startReader({
        kafka: checkKafka(context, 'ws03-reader'),
        topic,
        groupId,
        partitions: [...wanted],
        onOrder: (order, partition) => {
          const ids = seen.get(partition) ?? new Set<string>();
          ids.add(order.id);
          seen.set(partition, ids);
        },
      });
    } catch (error) {
      return [item('startReader starts a consumer', false, 'a running consumer', `it threw: ${messageOf(error)}`, runFirstHint(error))];
    }

    const gotWanted = () => expected.every((order) => seen.get(partitionOf.get(order.id) ?? -1)?.has(order.id));
    await waitFor(gotWanted, { timeoutMs: readTimeoutMs, signal: context.signal });
    // Others, if read at all, are read alongside: once the reader's own commits reach the end of 1 and 4
    // it has been through at least one fetch of every partition it owns.
    await waitFor(
      async () => {
        const committed = await committedOffsets(admin, groupId, topic);
        return wanted.every((partition) => committed.get(partition) === orderCount / partitionCount);
      },
      { timeoutMs: 5_000, signal: context.signal, intervalMs: 250 },
    );
    const committed = await committedOffsets(admin, groupId, topic);
    const assignment = await groupAssignment(admin, groupId, topic);

    const readOf = (partition: number) => seen.get(partition)?.size ?? 0;
    const readWanted = wanted.map((partition) => `${formatCount(readOf(partition))} of partition ${partition}`).join(', ');
    const strays = others.filter((partition) => readOf(partition) > 0);
    const committedOthers = others.filter((partition) => (committed.get(partition) ?? null) !== null);
    const owned = assignment.members.map((member) => member.partitions.join(', ') || 'none').join('; ') || 'no member';
    const ownsOnlyWanted =
      assignment.members.length === 1 && [...(assignment.members[0]?.partitions ?? [])].sort((a, b) => a - b).join(',') === wanted.join(',');
    return [
      item(
        `reads every order of partitions ${wanted.join(' and ')}`,
        gotWanted(),
        `${formatCount(expected.length)} orders: ${wanted.map((partition) => `${orderCount / partitionCount} of partition ${partition}`).join(', ')}`,
        readWanted,
        'Read from the beginning, and hand every message of those partitions to onOrder.',
      ),
      item(
        `reads no order of partitions ${others.join(', ')}`,
        strays.length === 0,
        'none',
        strays.length === 0 ? 'none' : strays.map((partition) => `${formatCount(readOf(partition))} of partition ${partition}`).join(', '),
        'A subscribed consumer gets whatever partitions its group hands it: make the group hand it only yours.',
      ),
      item(
        `fetches nothing from partitions ${others.join(', ')}`,
        committedOthers.length === 0,
        `the group ${groupId} commits offsets on partitions ${wanted.join(' and ')} only`,
        committedOthers.length === 0
          ? `commits on partitions ${
              [...committed]
                .flatMap(([partition, offset]) => (offset === null ? [] : [partition]))
                .sort((a, b) => a - b)
                .join(', ') || 'none'
            }; the broker shows it owning ${owned}`
          : `it committed offsets on partitions ${committedOthers.join(', ')} too (the broker shows it owning ${owned}): it fetched them, and a message skipped in eachMessage is still read and committed`,
        'KafkaJS has no assign(). Look at the consumer option `partitionAssigners`: the group can hand a member exactly the partitions it asks for.',
      ),
      item(
        `owns partitions ${wanted.join(' and ')} and no others`,
        ownsOnlyWanted,
        `the broker shows the reader of ${groupId} owning partitions ${wanted.join(', ')} only`,
        `the broker shows it owning ${owned}`,
        'A partition you pause is still yours: no other consumer of the group can read it, and the next rebalance can take 1 or 4 away. Choose the partitions with `partitionAssigners`, not pause().',
      ),
    ];
  } finally {
    unregister();
    await stopAll();
  }
};

export default check;
