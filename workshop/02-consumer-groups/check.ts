/**
 * Check of exercise 2: two members of one group on a 6-partition topic share the partitions and read
 * 600 orders once between them; then one leaves, and the other takes over every partition and reads
 * the 600 orders produced afterwards. Who owns what is asked of the broker (describeGroups), not of
 * the members.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer } from 'kafkajs';
import { messageOf } from '../../shared/errors.js';
import {
  checkKafka,
  formatCount,
  formatList,
  item,
  makeOrders,
  produceOrders,
  stopOnAbort,
  waitFor,
  type GroupAssignment,
  runFirstHint,
  importExercise,
  connectCheckClients,
  waitForAssignment,
} from '../lib/check-kit.js';
import type { Check, CheckItem } from '../lib/types.js';

type Exercise = typeof import('./start.js');

const partitionCount = 6;
const ordersPerPhase = 600;
const joinTimeoutMs = 20_000;
const readTimeoutMs = 20_000;

function describeOwners(assignment: GroupAssignment, names: ReadonlyMap<string, string>): string {
  if (assignment.members.length === 0)
    return assignment.state === 'Dead' ? 'no member ever joined: the broker does not know the group' : `no member in the group (state ${assignment.state})`;
  return assignment.members
    .map(
      (member) =>
        `${names.get(member.clientId) ?? member.clientId}: ${member.partitions.length ? `partitions ${member.partitions.join(', ')}` : 'no partition'}`,
    )
    .join('; ');
}

const check: Check = async (context) => {
  const topic = context.scoped('ws02-orders');
  const groupId = context.scoped('ws02-group');
  const { startMember } = await importExercise<Exercise>(context);
  const orders = makeOrders({ count: 2 * ordersPerPhase, customers: 30, seed: context.seed });
  const [first, second] = [orders.slice(0, ordersPerPhase), orders.slice(ordersPerPhase)];
  const everyPartition = Array.from({ length: partitionCount }, (_, partition) => partition);

  // Each member gets a client of its own, so the broker's view of the group names them.
  const memberNames = new Map([
    [context.scoped('ws02-member-a'), 'member A'],
    [context.scoped('ws02-member-b'), 'member B'],
  ]);
  const [clientA, clientB] = [...memberNames.keys()];
  const received = { a: new Map<string, number>(), b: new Map<string, number>() };
  /** Calls of onOrder with something that is not an order (a Buffer, a string), and what the first one was. */
  const notOrders: { count: number; example: string } = { count: 0, example: '' };
  const count = (into: Map<string, number>) => (order: unknown) => {
    const id = (order as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') {
      notOrders.count += 1;
      if (!notOrders.example) notOrders.example = Buffer.isBuffer(order) ? 'a Buffer' : `${typeof order} ${String(order).slice(0, 40)}`;
      return;
    }
    into.set(id, (into.get(id) ?? 0) + 1);
  };
  const notOrdersNote = () =>
    notOrders.count ? `; onOrder got ${formatCount(notOrders.count)} values that are not an order (the first: ${notOrders.example})` : '';

  const { admin, producer } = await connectCheckClients(context);
  const members: Consumer[] = [];
  const stopAll = () => Promise.allSettled([...members.map((member) => member.disconnect()), producer.disconnect(), admin.disconnect()]);
  const unregister = stopOnAbort(context.signal, stopAll);
  const items: CheckItem[] = [];
  try {
    try {
      members.push(await startMember({ kafka: checkKafka(context, clientA), topic, groupId, onOrder: count(received.a) }));
      members.push(await startMember({ kafka: checkKafka(context, clientB), topic, groupId, onOrder: count(received.b) }));
    } catch (error) {
      return [item('startMember starts a member', false, 'two members running in one group', `it threw: ${messageOf(error)}`, runFirstHint(error))];
    }
    const memberB = members[1] as Consumer;

    const shared = (current: GroupAssignment) =>
      current.state === 'Stable' &&
      current.members.length === 2 &&
      current.members.every((member) => member.partitions.length > 0) &&
      current.members.flatMap((member) => member.partitions).length === partitionCount;
    const joining = await waitForAssignment(admin, groupId, topic, shared, { timeoutMs: joinTimeoutMs, signal: context.signal });
    items.push(
      item(
        'both members get a share of the partitions',
        joining.reached,
        `2 members in group ${groupId}, the ${partitionCount} partitions split between them`,
        describeOwners(joining.assignment, memberNames),
        'A member joins the group when it subscribes and runs: without consumer.run() the broker gives it nothing.',
      ),
    );
    if (!joining.reached) return items;

    await produceOrders(producer, topic, first, { signal: context.signal });
    const readAll = (phase: readonly { id: string }[], maps: Map<string, number>[]) => () => phase.every((order) => maps.some((map) => map.has(order.id)));
    await waitFor(readAll(first, [received.a, received.b]), { timeoutMs: readTimeoutMs, signal: context.signal });
    // A message read twice arrives right after its first copy: a second's grace lets repeats show.
    await sleep(1_000, undefined, { signal: context.signal });
    const missing = first.filter((order) => !received.a.has(order.id) && !received.b.has(order.id)).map((order) => order.id);
    const twice = first.filter((order) => (received.a.get(order.id) ?? 0) + (received.b.get(order.id) ?? 0) > 1).map((order) => order.id);
    items.push(
      item(
        'together they read every order once',
        missing.length === 0 && twice.length === 0,
        `${formatCount(ordersPerPhase)} orders between them, each read once`,
        `member A read ${formatCount(received.a.size)}, member B ${formatCount(received.b.size)}; ${formatCount(missing.length)} never read` +
          `${missing.length ? ` (${formatList(missing, 3)})` : ''}, ${formatCount(twice.length)} read twice${notOrdersNote()}`,
        notOrders.count
          ? 'message.value is a Buffer of JSON text: hand onOrder the order itself, JSON.parse(message.value.toString()).'
          : 'Hand every message to onOrder, once: the members of one group never share a partition.',
      ),
    );

    await memberB.disconnect();
    const takeover = await waitForAssignment(
      admin,
      groupId,
      topic,
      (current) => current.state === 'Stable' && current.members.length === 1 && current.members[0]?.partitions.length === partitionCount,
      { timeoutMs: joinTimeoutMs, signal: context.signal },
    );
    items.push(
      item(
        'when member B leaves, member A takes over every partition',
        takeover.reached,
        `member A alone, with partitions ${everyPartition.join(', ')}`,
        describeOwners(takeover.assignment, memberNames),
      ),
    );
    if (!takeover.reached) return items;

    await produceOrders(producer, topic, second, { signal: context.signal });
    await waitFor(readAll(second, [received.a]), { timeoutMs: readTimeoutMs, signal: context.signal });
    const missed = second.filter((order) => !received.a.has(order.id)).map((order) => order.id);
    items.push(
      item(
        'member A reads what is produced after B left',
        missed.length === 0,
        `all ${formatCount(ordersPerPhase)} new orders read by member A`,
        `member A read ${formatCount(ordersPerPhase - missed.length)} of them${missed.length ? `; never read: ${formatList(missed, 3)}` : ''}${notOrdersNote()}`,
      ),
    );
    return items;
  } finally {
    unregister();
    await stopAll();
  }
};

export default check;
