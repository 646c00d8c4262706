/**
 * POSTs each batch as {"records":[...envelopes]} to an HTTP endpoint. Failures the endpoint may get
 * over (a 5xx, a timeout, a refused connection) are thrown for the caller to retry with backoff; a
 * refusal for good (a 4xx) hands the batch back as `rejected`, to be dead-lettered, since sending it
 * again would only be refused again and would hold up the partition.
 */
import { ErrorCodes, HarnessError, UsageError, messageOf } from '../../../shared/errors.js';
import type { Envelope } from '../envelope.js';
import type { Sink, SinkWriteResult } from './types.js';

export interface HttpSinkOptions {
  /** http(s) endpoint that receives the POSTs; credentials go in `headers`, not in the URL. */
  url: string;
  /** Longest wait for the whole answer, ms; default 10_000. */
  timeoutMs?: number;
  /** Extra request headers, e.g. an Authorization token; content-type is always application/json. */
  headers?: Record<string, string>;
}

/** Enough of an error body to recognise it in a dead letter without storing a whole HTML page. */
const bodyExcerptChars = 200;

/** 4xx answers that mean "later", not "never": retried like a 5xx instead of dead-lettered. */
const retryLaterStatuses = new Set([408, 429]);

function parseHttpUrl(url: string): URL | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `url` points at one of the origins of `allowList` (entries as URL.origin prints them, e.g.
 * http://127.0.0.1:8081). Exact comparison: a different scheme or port is another server.
 */
export function isOriginAllowed(url: string, allowList: readonly string[]): boolean {
  const parsed = parseHttpUrl(url);
  return parsed !== undefined && allowList.includes(parsed.origin);
}

export class HttpSink implements Sink {
  readonly name: string;
  readonly #url: URL;
  /** Origin and path only: the query string may carry a token, and this goes into logs and dead letters. */
  readonly #where: string;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;
  #closed: boolean = false;

  constructor(options: HttpSinkOptions) {
    const url = parseHttpUrl(options.url);
    if (!url) throw new UsageError(`HTTP sink URL ${JSON.stringify(options.url)} is not an http:// or https:// URL`);
    this.#where = `${url.origin}${url.pathname}`;
    // fetch refuses such URLs anyway, and the name would otherwise be the only place the password is cut out.
    if (url.username || url.password)
      throw new UsageError(`HTTP sink URL for ${this.#where} must not contain credentials: pass an Authorization header instead`);
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new UsageError(`HTTP sink timeoutMs must be a whole number of ms above 0 (got ${timeoutMs})`);
    this.#url = url;
    this.#timeoutMs = timeoutMs;
    this.#headers = { ...options.headers, 'content-type': 'application/json' };
    this.name = `http ${this.#where}`;
  }

  /** Nothing to set up: fetch connects (and reuses connections) per request. */
  async open(): Promise<void> {
    this.#checkNotClosed();
  }

  async write(batch: readonly Envelope[]): Promise<SinkWriteResult> {
    this.#checkNotClosed();
    if (batch.length === 0) return { duplicates: 0 };
    // One signal for the request and the body: a server that answers the status and then stalls is still stuck.
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let status: number;
    let body: string;
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        headers: this.#headers,
        body: JSON.stringify({ records: batch }),
        // The admin server checked the allow-list for this origin only; a redirect could lead anywhere.
        redirect: 'manual',
        signal,
      });
      status = response.status;
      if (status >= 200 && status < 300) {
        // Only the status matters. Reading the rest could only time out, and turn a delivered batch into a retried one.
        await response.body?.cancel().catch(() => {});
        return { duplicates: 0 };
      }
      body = await response.text();
    } catch (error) {
      if (signal.aborted) throw this.#failure(`no answer from ${this.#where} within ${this.#timeoutMs} ms`, error);
      throw this.#failure(`cannot reach ${this.#where}: ${describeNetworkError(error)}`, error);
    }

    const answer = `HTTP ${status} from ${this.#where}`;
    const excerpt = body.slice(0, bodyExcerptChars).replace(/\s+/g, ' ').trim();
    if (status >= 300 && status < 400) return { duplicates: 0, rejected: { envelopes: batch, error: `${answer}: redirects are not followed` } };
    if (status >= 400 && status < 500 && !retryLaterStatuses.has(status))
      return { duplicates: 0, rejected: { envelopes: batch, error: `${answer}: ${excerpt}` } };
    throw this.#failure(`${answer}: ${excerpt}`, undefined, status);
  }

  /** write() resolves only once the endpoint has answered, and what it accepted is its to keep: nothing is buffered here. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.#closed = true;
  }

  #checkNotClosed(): void {
    // A closed sink never reopens: a call after close() is a bug in the caller, not a retry case.
    if (this.#closed) throw new HarnessError(ErrorCodes.closed, `${this.name} is closed`);
  }

  #failure(message: string, cause: unknown, status?: number): HarnessError {
    return new HarnessError(ErrorCodes.runtime, message, { cause, retriable: true, sink: this.name, url: this.#where, status });
  }
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED 127.0.0.1:9) sits on its cause. */
function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error ? messageOf(cause) : messageOf(error);
}
