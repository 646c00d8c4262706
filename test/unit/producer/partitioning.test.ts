import { describe, expect, it } from 'vitest';
import { createPartitionChooser } from '../../../producer/partitioning.js';

/** org.apache.kafka.common.utils.Utils.murmur2, line by line, in 32-bit integer arithmetic. */
function javaMurmur2(data: Buffer): number {
  // Java's `data[i] & 0xff`: the byte read as unsigned.
  const byte = (index: number): number => data.readUInt8(index);
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ data.length;
  const length4 = Math.floor(data.length / 4);
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = byte(i4) | (byte(i4 + 1) << 8) | (byte(i4 + 2) << 16) | (byte(i4 + 3) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = data.length & ~3;
  // Java's switch falls through from case 3 to case 1.
  const rest = data.length % 4;
  if (rest >= 3) h ^= byte(tail + 2) << 16;
  if (rest >= 2) h ^= byte(tail + 1) << 8;
  if (rest >= 1) {
    h ^= byte(tail);
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}

describe('createPartitionChooser', () => {
  it('sends a key to the same partition every time, within range', () => {
    const chooser = createPartitionChooser(6);
    const again = createPartitionChooser(6);
    for (let index = 0; index < 200; index++) {
      const key = `customer-${index}`;
      const partition = chooser.forKey(key);
      expect(partition).toBeGreaterThanOrEqual(0);
      expect(partition).toBeLessThan(6);
      expect(again.forKey(key)).toBe(partition);
    }
  });

  it("agrees with a plain transcription of the Java client's Utils.murmur2", () => {
    const chooser = createPartitionChooser(12);
    for (const key of ['a', 'ab', 'abc', 'abcd', 'customer-001', 'ключ', '🙂 emoji', 'x'.repeat(101)]) {
      expect(chooser.forKey(key), key).toBe((javaMurmur2(Buffer.from(key)) & 0x7fffffff) % 12);
    }
  });

  it('moves keyless batches round the partitions, one partition per batch', () => {
    const chooser = createPartitionChooser(3, 1);
    expect([chooser.nextSticky(), chooser.nextSticky(), chooser.nextSticky(), chooser.nextSticky()]).toEqual([1, 2, 0, 1]);
  });
});
