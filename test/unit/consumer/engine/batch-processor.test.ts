import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BatchProcessor, epochMsOf, SinkUnavailableError, type BatchProcessorOptions } from '../../../../consumer/engine/batch-processor.js';
import type { DeadLetterEntry, DeadLetterQueue } from '../../../../consumer/engine/dead-letter.js';
import type { Envelope } from '../../../../consumer/engine/envelope.js';
import type { Sink } from '../../../../consumer/engine/sinks/types.js';
import { ConsumerStats } from '../../../../consumer/engine/stats.js';
import { createRootLogger } from '../../../../shared/logger.js';
import { exampleMessage } from '../../../../shared/message.js';

// Stand-ins for a disk or broker failing on cue: a real sink can't be made to fail on demand.
class MemorySink implements Sink {
  readonly name = 'memory';
  written: Envelope[] = [];
  flushed = 0;
  failures = 0;
  async open(): Promise<void> {}
  async write(batch: readonly Envelope[]) {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('disk full');
    }
    this.written.push(...batch);
    return { duplicates: 0 };
  }
  async flush(): Promise<void> {
    this.flushed += 1;
  }
  async close(): Promise<void> {}
}

class MemoryDeadLetters implements DeadLetterQueue {
  readonly name = 'memory';
  entries: DeadLetterEntry[] = [];
  async open(): Promise<void> {}
  async write(entries: readonly DeadLetterEntry[]): Promise<void> {
    this.entries.push(...entries);
  }
  async close(): Promise<void> {}
}

const message = (offset: number, value: string): KafkaMessage =>
  ({ offset: String(offset), key: null, value: Buffer.from(value), timestamp: '1700000000000', attributes: 0, headers: {} }) as KafkaMessage;

function setup(overrides: Partial<BatchProcessorOptions> = {}) {
  const sink = new MemorySink();
  const deadLetters = new MemoryDeadLetters();
  const stats = new ConsumerStats();
  const processor = new BatchProcessor({
    topic: 'orders',
    strict: false,
    maxRetries: 2,
    retryBackoffMs: 1,
    sinks: [sink],
    deadLetters,
    stats,
    log: createRootLogger({ level: 'silent' }),
    ...overrides,
  });
  return { sink, deadLetters, stats, processor };
}

describe('BatchProcessor', () => {
  it('writes and flushes good messages as envelopes, and dead-letters what is not JSON', async () => {
    const { processor, sink, deadLetters, stats } = setup();
    const result = await processor.process(3, [message(10, '{"a":1}'), message(11, 'oops'), message(12, '[2]')], Date.now());
    expect(result).toEqual({ handled: 3, processed: 2, failed: 1, duplicates: 0, consecutiveErrors: 0 });
    expect(sink.written.map((envelope) => [envelope.partition, envelope.offset, envelope.payload])).toEqual([
      [3, 10, { a: 1 }],
      [3, 12, [2]],
    ]);
    expect(sink.flushed).toBe(1);
    expect(deadLetters.entries).toHaveLength(1);
    expect(deadLetters.entries[0]).toMatchObject({ partition: 3, stage: 'parse' });
    expect(deadLetters.entries[0]?.error).toMatch(/^not JSON/);
    expect(stats.snapshot()).toMatchObject({ messages_processed: 2, messages_failed: 1, dead_lettered: 1, partition_errors: { 3: 1 } });
  });

  it('with strict, also dead-letters JSON that is not a harness message', async () => {
    const { processor, deadLetters } = setup({ strict: true });
    await processor.process(0, [message(0, JSON.stringify(exampleMessage)), message(1, '{"id":"nope"}')], Date.now());
    expect(deadLetters.entries.map((entry) => [entry.message.offset, entry.stage])).toEqual([['1', 'schema']]);
    expect(deadLetters.entries[0]?.error).toMatch(/^schema: /);
  });

  it('retries a failing handler, then dead-letters the message', async () => {
    let calls = 0;
    const { processor, deadLetters, stats } = setup({
      handler: () => {
        calls += 1;
        throw new Error('downstream said no');
      },
    });
    await processor.process(0, [message(0, '{}')], Date.now());
    expect(calls).toBe(3);
    expect(stats.snapshot().retries).toBe(2);
    expect(deadLetters.entries[0]).toMatchObject({ stage: 'handler', error: 'downstream said no' });
  });

  it('stops a chunk once the failures in a row reach the threshold, counting across chunks', async () => {
    const { processor } = setup({ errorThreshold: 3 });
    expect((await processor.process(0, [message(0, 'x'), message(1, 'x')], Date.now())).consecutiveErrors).toBe(2);
    const result = await processor.process(0, [message(2, 'x'), message(3, 'x'), message(4, '{}')], Date.now());
    expect(result).toMatchObject({ handled: 1, failed: 1, consecutiveErrors: 3 });
    processor.resetErrors(0);
    expect((await processor.process(0, [message(3, 'x'), message(4, '{}')], Date.now())).consecutiveErrors).toBe(0);
  });

  it('skips what it already stored when a lost commit makes the broker deliver it again', async () => {
    const { processor, sink, deadLetters, stats } = setup({ errorThreshold: 3 });
    await processor.process(0, [message(0, '{"a":0}'), message(1, 'x'), message(2, 'x'), message(3, 'x'), message(4, '{"a":4}')], Date.now());
    expect(sink.written).toHaveLength(1);
    expect(deadLetters.entries).toHaveLength(3);

    // The commit of offsets 0-3 was lost to a rebalance: the same messages come again, then newer ones.
    const replay = await processor.process(0, [message(0, '{"a":0}'), message(1, 'x'), message(2, 'x'), message(3, 'x'), message(4, '{"a":4}')], Date.now());
    expect(replay).toEqual({ handled: 4, processed: 0, failed: 0, duplicates: 4, consecutiveErrors: 3 });
    expect(sink.written).toHaveLength(1);
    expect(deadLetters.entries).toHaveLength(3);

    // Still over the threshold: nothing more is looked at until the partition is resumed.
    expect(await processor.process(0, [message(4, '{"a":4}')], Date.now())).toMatchObject({ handled: 0, consecutiveErrors: 3 });
    processor.resetErrors(0);
    expect(await processor.process(0, [message(4, '{"a":4}')], Date.now())).toMatchObject({ handled: 1, processed: 1 });
    expect(sink.written.map((envelope) => envelope.offset)).toEqual([0, 4]);
    expect(stats.snapshot()).toMatchObject({ messages_processed: 2, messages_failed: 3, duplicates_skipped: 4 });
  });

  it('retries a failing sink, and reports it unavailable when it stays down', async () => {
    const flaky = setup();
    flaky.sink.failures = 2;
    await flaky.processor.process(0, [message(0, '{}')], Date.now());
    expect(flaky.sink.written).toHaveLength(1);

    const down = setup();
    down.sink.failures = 10;
    await expect(down.processor.process(0, [message(0, '{}')], Date.now())).rejects.toBeInstanceOf(SinkUnavailableError);
  });

  it('leaves a message whose handler retries a stop cut short for the next run, instead of dead-lettering it', async () => {
    const stopping = new AbortController();
    // The stop comes while the handler waits for its first retry (10 s): only the abort can end that wait in time.
    class StopOnRetry extends ConsumerStats {
      override recordRetry(): void {
        super.recordRetry();
        stopping.abort();
      }
    }
    const { processor, deadLetters, sink } = setup({
      maxRetries: 5,
      retryBackoffMs: 10_000,
      signal: stopping.signal,
      stats: new StopOnRetry(),
      handler: (envelope) => {
        if (envelope.offset === 1) throw new Error('downstream is down');
      },
    });
    const result = await processor.process(0, [message(0, '{}'), message(1, '{}'), message(2, '{}')], Date.now());
    expect(result).toMatchObject({ handled: 1, processed: 1, failed: 0 });
    expect(sink.written.map((envelope) => envelope.offset)).toEqual([0]);
    expect(deadLetters.entries).toHaveLength(0);
  });

  it('retries only the sink that failed: one that took the chunk never gets it twice', async () => {
    const first = new MemorySink();
    const second = new MemorySink();
    second.failures = 1;
    const { processor } = setup({ sinks: [first, second] });
    await processor.process(0, [message(0, '{}'), message(1, '{}')], Date.now());
    expect(first.written).toHaveLength(2);
    expect(second.written).toHaveLength(2);
  });

  it('measures end-to-end latency from the x-sent-at header', async () => {
    const { processor, stats } = setup();
    const sent = { ...message(0, '{}'), headers: { 'x-sent-at': Buffer.from('1000') } } as KafkaMessage;
    await processor.process(0, [sent], 1_025);
    expect(stats.endToEnd.totalCount).toBe(1);
    expect(stats.endToEnd.getValueAtPercentile(50)).toBeCloseTo(25_000, -2);
  });
});

describe('epochMsOf', () => {
  it('reads the digits of a Buffer as Number() would read its text', () => {
    for (const text of ['1700000000123', '0', '007', '', ' 12', '1e3', '-5', '12a', '9'.repeat(16)]) {
      expect(epochMsOf(Buffer.from(text))).toBe(Number(text));
    }
    expect(epochMsOf('1700000000123')).toBe(1_700_000_000_123);
    expect(epochMsOf([Buffer.from('1'), Buffer.from('2')])).toBeNaN();
  });
});
