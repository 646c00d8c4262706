/**
 * Which partitions each child process owns in static assignment: an even round-robin share, or
 * exactly the slices the user lists with --partitions "0,1;2,3;4,5".
 */
import { UsageError } from '../../shared/errors.js';

/** Child i gets partitions i, i+n, i+2n…: [0..5] over 3 children → [[0,3],[1,4],[2,5]]. */
export function slicePartitions(partitions: readonly number[], processes: number): number[][] {
  const sorted = [...partitions].sort((a, b) => a - b);
  return Array.from({ length: processes }, (_, child) => sorted.filter((_, index) => index % processes === child));
}

/** "0,1;2,3;4,5" → [[0,1],[2,3],[4,5]], each partition of the topic at most once. */
export function parsePartitionSlices(text: string, partitionCount: number): number[][] {
  const seen = new Set<number>();
  const slices = text.split(';').map((slice, child) => {
    const partitions = slice
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0)
      .map((entry) => {
        const partition = Number(entry);
        if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
          throw new UsageError(`--partitions: "${entry}" is not a partition of the topic (0-${partitionCount - 1})`);
        }
        if (seen.has(partition)) throw new UsageError(`--partitions: partition ${partition} is listed twice; each belongs to one child`);
        seen.add(partition);
        return partition;
      });
    if (partitions.length === 0) throw new UsageError(`--partitions: child ${child} gets no partition (an empty slice between semicolons)`);
    return partitions;
  });
  return slices;
}
