/**
 * Manual partition assignment for KafkaJS, which has no assign() (kafkajs#373): every member joins
 * the group declaring the partitions it wants in its subscription's user data, and whichever member
 * leads the group hands each member exactly those. Offsets are still committed to the group, so
 * kafka-consumer-groups and `npm run lag` see it like any other group. A partition whose owner is
 * down stays unassigned until that owner comes back.
 */
import kafkajs from 'kafkajs';
import type { PartitionAssigner } from 'kafkajs';

const { AssignerProtocol } = kafkajs;

export const staticAssignerName = 'HarnessStatic';

interface Declaration {
  topic: string;
  partitions: number[];
  /** How many members declare slices in this group (the consume CLI's children), if known. */
  members?: number;
}

/** Options of createStaticAssigner. */
export interface StaticAssignerOptions {
  /** How many members this member expects in the group, itself included (the consume CLI's -p). */
  members?: number | undefined;
  /** How long a leader that sees fewer members than expected waits before assigning, ms (default 250). */
  holdMs?: number | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function readDeclaration(userData: Buffer): Declaration | undefined {
  try {
    const declared = JSON.parse(userData.toString('utf8')) as Partial<Declaration>;
    if (typeof declared.topic !== 'string' || !Array.isArray(declared.partitions)) return undefined;
    const members = Number.isInteger(declared.members) ? declared.members : undefined;
    return { topic: declared.topic, partitions: declared.partitions.filter((partition) => Number.isInteger(partition)), ...(members ? { members } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * `options.members`: children started together join together, but the group's first generation is
 * complete as soon as the first of them is in (the broker's group.initial.rebalance.delay.ms is 0
 * here). Each later joiner would then make the members already in it stop and rebalance, which they
 * notice only at their next heartbeat. A leader that sees fewer members than expected waits briefly
 * before it assigns: a member that joined meanwhile makes the broker refuse this generation's
 * assignment, KafkaJS joins again at once, and the next generation holds everyone.
 */
export function createStaticAssigner(topic: string, partitions: readonly number[], options: StaticAssignerOptions = {}): PartitionAssigner {
  return ({ logger }) => ({
    name: staticAssignerName,
    version: 1,
    protocol: ({ topics }) => ({
      name: staticAssignerName,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: Buffer.from(
          JSON.stringify({ topic, partitions: [...partitions], ...(options.members ? { members: options.members } : {}) } satisfies Declaration),
        ),
      }),
    }),
    async assign({ members }) {
      const declarations = members.map(({ memberMetadata }) =>
        readDeclaration(AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData ?? Buffer.alloc(0)),
      );
      const expected = Math.max(0, ...declarations.map((declared) => declared?.members ?? 0));
      if (members.length < expected) {
        logger.debug('fewer members than expected; waiting before assigning', { members: members.length, expected });
        await sleep(options.holdMs ?? 250);
      }
      // A restarted member may join while its dead predecessor still holds the same declaration
      // (until its session times out): each partition goes to the first member that declares it.
      const owner = new Map<string, string>();
      return members.map(({ memberId }, index) => {
        const declared = declarations[index];
        const assignment: Record<string, number[]> = {};
        if (declared) {
          for (const partition of declared.partitions) {
            const key = `${declared.topic}/${partition}`;
            if (owner.has(key)) {
              logger.warn('partition declared by two members; the first keeps it', { partition, topic: declared.topic, memberId, keptBy: owner.get(key) });
              continue;
            }
            owner.set(key, memberId);
            const partitions = assignment[declared.topic] ?? [];
            partitions.push(partition);
            assignment[declared.topic] = partitions;
          }
        }
        return { memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }) };
      });
    },
  });
}
