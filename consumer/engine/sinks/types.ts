/** Where consumed messages go. A sink is durable once flush() resolves; only then are offsets committed. */
import type { Envelope } from '../envelope.js';

export interface SinkWriteResult {
  /** Messages the sink already had (a replay after a crash or stop before the commit) and skipped. */
  duplicates: number;
  /** Envelopes the destination refused for good (e.g. an HTTP 4xx): they go to the dead-letter destination instead. */
  rejected?: { envelopes: readonly Envelope[]; error: string };
}

export interface Sink {
  /** Short description for logs and stats, e.g. "file output/consumer-0.jsonl". */
  readonly name: string;
  open(): Promise<void>;
  write(batch: readonly Envelope[]): Promise<SinkWriteResult>;
  /** Makes everything written so far durable (fsync for files, a commit for databases). */
  flush(): Promise<void>;
  /** Flushes and releases the sink; idempotent. */
  close(): Promise<void>;
}
