/**
 * Downloads the locked jars over plain HTTPS (Node's fetch), a few at a time, each checked against
 * its SHA-256 before it gets its real name: a file named like a jar is always a whole, verified jar.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ErrorCodes, HarnessError, messageOf } from '../shared/errors.js';
import { jarFileName, jarUrl, type JarsLock, type LockedJar } from './jars-lock.js';

/** Why a download failed: only a network or HTTP failure is worth another route (Maven through a proxy). */
export const DownloadFailures = { network: 'network', http: 'http', checksum: 'checksum' } as const;
export type DownloadFailure = (typeof DownloadFailures)[keyof typeof DownloadFailures];

export class JarDownloadError extends HarnessError {
  readonly failure: DownloadFailure;
  readonly url: string;

  constructor(failure: DownloadFailure, url: string, message: string, options: { cause?: unknown } = {}) {
    super(ErrorCodes.mavenFailed, message, { ...options, failure, url, retriable: failure !== DownloadFailures.checksum });
    this.name = 'JarDownloadError';
    this.failure = failure;
    this.url = url;
  }
}

export interface DownloadOptions {
  /** Base URL of a repository with Maven's layout, e.g. https://repo1.maven.org/maven2. */
  repositoryUrl: string;
  /** Downloads at once; default 4 (enough to fill a link, few enough to be polite to a mirror). */
  concurrency?: number;
  /** No byte for this long fails the jar; default 30,000 ms. */
  stallTimeoutMs?: number;
  /** Aborting stops every download and removes its partial file; the promise then rejects with the abort reason. */
  signal?: AbortSignal | undefined;
  /** Called with bytes received so far, across all jars. */
  onProgress?: (receivedBytes: number) => void;
}

/** "fetch failed" says nothing: the cause (ECONNREFUSED, ENOTFOUND, a TLS error) does. */
export function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code && cause.message) return cause.message.includes(cause.code) ? cause.message : `${cause.code}: ${cause.message}`;
  if (cause?.message) return cause.message;
  return messageOf(error);
}

async function downloadJar(
  jar: LockedJar,
  folder: string,
  options: Required<Omit<DownloadOptions, 'signal' | 'onProgress'>> & DownloadOptions,
  onBytes: (count: number) => void,
): Promise<void> {
  const url = jarUrl(jar, options.repositoryUrl);
  const target = join(folder, jarFileName(jar));
  const partial = `${target}.part`;
  const stalled = new AbortController();
  const timer = setTimeout(() => stalled.abort(), options.stallTimeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, stalled.signal]) : stalled.signal;
  const hash = createHash('sha256');
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal, redirect: 'follow' });
    } catch (error) {
      throw new JarDownloadError(DownloadFailures.network, url, `${url}: ${describeFetchError(error)}`, { cause: error });
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => {});
      throw new JarDownloadError(DownloadFailures.http, url, `${url} answered HTTP ${response.status} ${response.statusText}`.trim());
    }
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        onBytes(chunk.length);
        timer.refresh();
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), measure, createWriteStream(partial), { signal });
    } catch (error) {
      throw new JarDownloadError(DownloadFailures.network, url, `${url}: the download broke off (${describeFetchError(error)})`, { cause: error });
    }
    const actual = hash.digest('hex');
    if (actual !== jar.sha256) {
      throw new JarDownloadError(
        DownloadFailures.checksum,
        url,
        `${jarFileName(jar)} from ${url} has SHA-256 ${actual}, not ${jar.sha256} as kafka/jars.lock.json says: the file was deleted; a proxy or mirror served something else`,
      );
    }
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    if (options.signal?.aborted) throw options.signal.reason;
    if (stalled.signal.aborted) {
      throw new JarDownloadError(DownloadFailures.network, url, `${url}: no data for ${Math.round(options.stallTimeoutMs / 1000)} s`, { cause: error });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Downloads every jar of the lock into `folder` (which must exist). The first failure stops the
 * others and is what rejects; jars already verified stay, partial files never do.
 */
export async function downloadJars(lock: JarsLock, folder: string, options: DownloadOptions): Promise<void> {
  const { concurrency = 4, stallTimeoutMs = 30_000 } = options;
  const stopOthers = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopOthers.signal]) : stopOthers.signal;
  let received = 0;
  const onBytes = (count: number): void => {
    received += count;
    options.onProgress?.(received);
  };
  let next = 0;
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    while (next < lock.jars.length && firstError === undefined) {
      const jar = lock.jars[next++] as LockedJar;
      try {
        await downloadJar(jar, folder, { ...options, concurrency, stallTimeoutMs, signal }, onBytes);
      } catch (error) {
        firstError ??= error;
        stopOthers.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, lock.jars.length) }, worker));
  if (firstError !== undefined) throw options.signal?.aborted ? options.signal.reason : firstError;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

export interface JarCheck {
  /** Locked jars with no file in the folder. */
  missing: string[];
  /** Files whose content is not the locked jar's. */
  different: string[];
}

/** Compares the folder with the lock, jar by jar (about 0.3 s for the broker's 55 MB). */
export async function verifyJars(lock: JarsLock, folder: string): Promise<JarCheck> {
  const check: JarCheck = { missing: [], different: [] };
  for (const jar of lock.jars) {
    const name = jarFileName(jar);
    try {
      if ((await sha256OfFile(join(folder, name))) !== jar.sha256) check.different.push(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      check.missing.push(name);
    }
  }
  return check;
}
