import { describe, expect, it } from 'vitest';
import { parsePartitionSlices, slicePartitions } from '../../../../consumer/cli/partition-slices.js';

describe('slicePartitions', () => {
  it('deals partitions round robin: 6 over 3 gives each child 2', () => {
    expect(slicePartitions([0, 1, 2, 3, 4, 5], 3)).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });

  it('keeps the share even when it does not divide', () => {
    expect(slicePartitions([5, 4, 3, 2, 1, 0, 6], 3)).toEqual([
      [0, 3, 6],
      [1, 4],
      [2, 5],
    ]);
  });

  it('leaves a child empty when there are more children than partitions (the caller rejects that)', () => {
    expect(slicePartitions([0, 1], 3)).toEqual([[0], [1], []]);
  });
});

describe('parsePartitionSlices', () => {
  it('reads one slice per child', () => {
    expect(parsePartitionSlices('0,1;2,3; 4 ,5', 6)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it.each([
    ['0,1;1,2', 'partition 1 is listed twice'],
    ['0,9', '"9" is not a partition of the topic (0-5)'],
    ['0;;1', 'child 1 gets no partition'],
    ['a', '"a" is not a partition'],
  ])('rejects %j: %s', (text, message) => {
    expect(() => parsePartitionSlices(text, 6)).toThrow(message);
  });
});
