import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../../../consumer/engine/envelope.js';
import { HttpSink, isOriginAllowed } from '../../../../../consumer/engine/sinks/http-sink.js';
import { ErrorCodes, UsageError } from '../../../../../shared/errors.js';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: unknown;
}

interface TestServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  received: Received[];
}

const servers: Server[] = [];
afterEach(async () => {
  // A hung request keeps its socket open, and server.close() waits for every socket.
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A real server on a free port that records each request, then answers as `answer` says (or never). */
async function startServer(answer: (response: ServerResponse) => void): Promise<TestServer> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      received.push({ method: request.method, url: request.url, headers: request.headers, body: text ? JSON.parse(text) : undefined });
      answer(response);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const reply =
  (status: number, body = '', headers: Record<string, string> = {}) =>
  (response: ServerResponse): void => {
    response.writeHead(status, headers).end(body);
  };

const envelope = (offset: number): Envelope => ({
  topic: 'orders',
  partition: 2,
  offset,
  ts: 1_700_000_000_000 + offset,
  key: `k${offset}`,
  headers: { 'x-sent-at': '123' },
  payload: { n: offset, text: 'é ✓' },
});
const batch = [envelope(7), envelope(8), envelope(9)];

describe('HttpSink', () => {
  it('POSTs the batch as {"records": [...]} JSON and takes a 2xx as delivered', async () => {
    const server = await startServer(reply(204));
    const sink = new HttpSink({ url: `${server.origin}/ingest?token=s3cret`, headers: { authorization: 'Bearer abc' } });
    await sink.open();
    expect(await sink.write(batch)).toEqual({ duplicates: 0 });
    await sink.flush();
    await sink.close();

    expect(server.received).toHaveLength(1);
    const [request] = server.received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/ingest?token=s3cret');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toBe('Bearer abc');
    expect(request?.body).toEqual({ records: batch });
  });

  it('is named after origin and path, without the query string', () => {
    const sink = new HttpSink({ url: 'https://example.test:8443/hooks/kafka?token=s3cret#x' });
    expect(sink.name).toBe('http https://example.test:8443/hooks/kafka');
  });

  it('sends nothing for an empty batch', async () => {
    const server = await startServer(reply(200));
    const sink = new HttpSink({ url: `${server.origin}/ingest` });
    expect(await sink.write([])).toEqual({ duplicates: 0 });
    expect(server.received).toEqual([]);
  });

  it('throws on a 5xx, naming the status and the URL without its query, so the caller retries', async () => {
    const server = await startServer(reply(503, 'down for\nmaintenance'));
    const sink = new HttpSink({ url: `${server.origin}/ingest?token=s3cret` });
    const error = await sink.write(batch).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ code: ErrorCodes.runtime, retriable: true, message: `HTTP 503 from ${server.origin}/ingest: down for maintenance` });
    expect(String((error as Error).message)).not.toContain('s3cret');
  });

  it('hands a 4xx batch back as rejected (to be dead-lettered) with the status and the start of the body', async () => {
    const server = await startServer(reply(422, `invalid record: ${'x'.repeat(500)}`));
    const sink = new HttpSink({ url: `${server.origin}/ingest?token=s3cret` });
    const result = await sink.write(batch);
    expect(result.duplicates).toBe(0);
    expect(result.rejected?.envelopes).toEqual(batch);
    expect(result.rejected?.error).toBe(`HTTP 422 from ${server.origin}/ingest: invalid record: ${'x'.repeat(200 - 'invalid record: '.length)}`);
  });

  it('retries a 429 rather than dead-lettering it: the endpoint asks for later, not never', async () => {
    const server = await startServer(reply(429, 'slow down'));
    const sink = new HttpSink({ url: `${server.origin}/ingest` });
    await expect(sink.write(batch)).rejects.toThrow(`HTTP 429 from ${server.origin}/ingest`);
  });

  it('does not follow a redirect and rejects the batch', async () => {
    const elsewhere = await startServer(reply(200));
    const server = await startServer(reply(307, '', { location: `${elsewhere.origin}/steal` }));
    const sink = new HttpSink({ url: `${server.origin}/ingest` });
    const result = await sink.write(batch);
    expect(result.rejected?.envelopes).toEqual(batch);
    expect(result.rejected?.error).toMatch(/^HTTP 307 from http:\/\/127\.0\.0\.1:\d+\/ingest: redirects are not followed$/);
    expect(elsewhere.received).toEqual([]);
  });

  it('throws a timeout error within the timeout when the server never answers', async () => {
    const server = await startServer(() => {});
    const sink = new HttpSink({ url: `${server.origin}/slow`, timeoutMs: 200 });
    const startedAt = performance.now();
    await expect(sink.write(batch)).rejects.toThrow(`no answer from ${server.origin}/slow within 200 ms`);
    expect(performance.now() - startedAt).toBeLessThan(2_000);
    expect(server.received).toHaveLength(1);
  });

  it('throws when the connection is refused', async () => {
    const server = await startServer(reply(200));
    const closed = servers.pop();
    await new Promise<void>((resolve) => closed?.close(() => resolve()));
    const sink = new HttpSink({ url: `${server.origin}/ingest` });
    await expect(sink.write(batch)).rejects.toThrow(new RegExp(`^cannot reach ${server.origin}/ingest: .*ECONNREFUSED`));
  });

  it('fails on a write after close, and closes twice without complaint', async () => {
    const sink = new HttpSink({ url: 'http://127.0.0.1:9/ingest' });
    await sink.close();
    await sink.close();
    await expect(sink.write(batch)).rejects.toMatchObject({ code: ErrorCodes.closed });
  });

  it.each([
    ['not a URL', 'ingest'],
    ['another scheme', 'ftp://127.0.0.1/ingest'],
    ['credentials in the URL', 'http://user:pw@127.0.0.1/ingest'],
  ])('refuses %s', (_, url) => {
    expect(() => new HttpSink({ url })).toThrow(UsageError);
  });

  it('keeps the password out of the error for a URL with credentials', () => {
    expect(() => new HttpSink({ url: 'http://user:pw-s3cret@127.0.0.1/ingest' })).toThrow(
      /^HTTP sink URL for http:\/\/127\.0\.0\.1\/ingest must not contain credentials/,
    );
  });

  it('refuses a timeout that is not a positive whole number of ms', () => {
    expect(() => new HttpSink({ url: 'http://127.0.0.1/ingest', timeoutMs: 0 })).toThrow(UsageError);
    expect(() => new HttpSink({ url: 'http://127.0.0.1/ingest', timeoutMs: Number.NaN })).toThrow(UsageError);
  });
});

describe('isOriginAllowed', () => {
  const allowList = ['http://127.0.0.1:8081', 'https://sink.example.test'];

  it.each([
    ['the exact origin', 'http://127.0.0.1:8081/ingest?x=1', true],
    ['an allowed https origin on its default port', 'https://sink.example.test:443/in', true],
    ['another port', 'http://127.0.0.1:8082/ingest', false],
    ['https instead of http', 'https://127.0.0.1:8081/ingest', false],
    ['http instead of https', 'http://sink.example.test/in', false],
    ['another host', 'http://localhost:8081/ingest', false],
    ['a host that merely starts with an allowed one', 'https://sink.example.test.evil.test/in', false],
    ['an allowed origin posing as the user name of another host', 'http://127.0.0.1:8081@evil.test/', false],
    ['a javascript: URL', 'javascript:alert(1)//http://127.0.0.1:8081', false],
    ['a file: URL', 'file:///etc/passwd', false],
    ['garbage', 'not a url', false],
    ['an empty string', '', false],
  ])('%s → %s', (_, url, allowed) => {
    expect(isOriginAllowed(url, allowList)).toBe(allowed);
  });

  it('allows nothing with an empty list, and never an opaque origin even if listed', () => {
    expect(isOriginAllowed('http://127.0.0.1:8081/', [])).toBe(false);
    expect(isOriginAllowed('file:///etc/passwd', ['null'])).toBe(false);
    expect(isOriginAllowed('javascript:alert(1)', ['null'])).toBe(false);
  });
});
