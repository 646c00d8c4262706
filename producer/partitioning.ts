/**
 * The partition of every message is chosen here, before send, so the producer can count what went
 * where. A key goes through KafkaJS's DefaultPartitioner, the Java client's murmur2; messages
 * without a key stick to one partition per batch and move on with the next, like the Java
 * client's sticky partitioner (KIP-480), so a batch is one request to one leader.
 */
import kafkajs from 'kafkajs';
import type { PartitionMetadata } from 'kafkajs';

const { Partitioners } = kafkajs;

export interface PartitionChooser {
  forKey(key: string): number;
  /** The partition for the next batch of keyless messages. */
  nextSticky(): number;
}

export function createPartitionChooser(partitionCount: number, start = Math.floor(Math.random() * partitionCount)): PartitionChooser {
  const murmur2 = Partitioners.DefaultPartitioner();
  // For a keyed message the partitioner only needs the partition count.
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionId, leader: 0 }) as PartitionMetadata);
  let sticky = start;
  return {
    forKey: (key) => murmur2({ topic: '', partitionMetadata, message: { key, value: null } }),
    nextSticky: () => sticky++ % partitionCount,
  };
}
