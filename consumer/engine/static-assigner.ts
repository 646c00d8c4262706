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
}

function readDeclaration(userData: Buffer): Declaration | undefined {
  try {
    const declared = JSON.parse(userData.toString('utf8')) as Partial<Declaration>;
    if (typeof declared.topic !== 'string' || !Array.isArray(declared.partitions)) return undefined;
    return { topic: declared.topic, partitions: declared.partitions.filter((partition) => Number.isInteger(partition)) };
  } catch {
    return undefined;
  }
}

export function createStaticAssigner(topic: string, partitions: readonly number[]): PartitionAssigner {
  return ({ logger }) => ({
    name: staticAssignerName,
    version: 1,
    protocol: ({ topics }) => ({
      name: staticAssignerName,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: Buffer.from(JSON.stringify({ topic, partitions: [...partitions] } satisfies Declaration)),
      }),
    }),
    async assign({ members }) {
      // A restarted member may join while its dead predecessor still holds the same declaration
      // (until its session times out): each partition goes to the first member that declares it.
      const owner = new Map<string, string>();
      return members.map(({ memberId, memberMetadata }) => {
        const declared = readDeclaration(AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData ?? Buffer.alloc(0));
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
