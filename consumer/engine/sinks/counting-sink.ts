/** --sink none: keeps nothing, only counts; measures the consumer without the cost of writing. */
import type { Envelope } from '../envelope.js';
import type { Sink, SinkWriteResult } from './types.js';

export class CountingSink implements Sink {
  readonly name = 'none (count only)';
  count = 0;

  async open(): Promise<void> {}

  async write(batch: readonly Envelope[]): Promise<SinkWriteResult> {
    this.count += batch.length;
    return { duplicates: 0 };
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
