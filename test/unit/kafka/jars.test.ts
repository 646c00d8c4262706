import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyJars } from '../../../kafka/jar-fetch.js';
import { jarFileName, type JarsLock } from '../../../kafka/jars-lock.js';
import { homePaths } from '../../../kafka/layout.js';
import { ensureJars } from '../../../kafka/prerequisites.js';
import { ErrorCodes } from '../../../shared/errors.js';
import { createRootLogger } from '../../../shared/logger.js';

// A local HTTP server plays the Maven repository (MAVEN_REPOSITORY_URL) and a script plays mvn, so
// every route through ensureJars runs without Maven Central; test/integration/jar-fetch.test.ts
// downloads the real jars.
const log = createRootLogger({ level: 'silent' });
let folder: string;
let server: Server | undefined;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'harness-jars-'));
});
afterEach(async () => {
  server?.closeAllConnections();
  if (server) await new Promise((done) => server?.close(done));
  server = undefined;
  await rm(folder, { recursive: true, force: true });
});

/** Two small "jars" with random content and the lock that pins them. */
function fakeJars(): { lock: JarsLock; contents: Map<string, Buffer> } {
  const contents = new Map<string, Buffer>();
  const jars = ['kafka_2.13', 'log4j-core'].map((artifact) => {
    const bytes = randomBytes(50_000);
    const jar = { group: 'org.example', artifact, version: '1.0', sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    contents.set(jarFileName(jar), bytes);
    return jar;
  });
  return { lock: { kafkaVersion: '4.3.1', jars }, contents };
}

/** Serves `answer` for each request; returns the repository URL. `requests` emits each path asked for. */
async function serveRepository(answer: (name: string, response: ServerResponse) => void, requests = new EventEmitter()): Promise<string> {
  server = createServer((request, response) => {
    const name = request.url?.split('/').pop() ?? '';
    requests.emit('request', name);
    answer(name, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/maven2`;
}

/** A fake mvn that records it ran and copies `source`'s files into -DoutputDirectory (or just fails). */
async function fakeMaven(source: string | undefined): Promise<string> {
  const path = join(folder, 'mvn');
  const copy = source
    ? `cp "${source}"/* "$out"/`
    : 'echo "[ERROR] Could not transfer artifact org.apache.kafka:kafka_2.13:pom:4.3.1: Connection refused"; exit 1';
  await writeFile(
    path,
    `#!/bin/sh\ntouch "${folder}/mvn-ran"\nfor arg; do case "$arg" in -DoutputDirectory=*) out="\${arg#-DoutputDirectory=}";; esac; done\n${copy}\n`,
  );
  await chmod(path, 0o755);
  return path;
}

async function writeJars(contents: Map<string, Buffer>): Promise<string> {
  const source = join(folder, 'm2');
  await mkdir(source, { recursive: true });
  for (const [name, bytes] of contents) await writeFile(join(source, name), bytes);
  return source;
}

const byName = (a: string, b: string): number => a.localeCompare(b);
const noMaven = (): string => join(folder, 'no-such-mvn');

/** A port nothing listens on (fetch refuses port 1 outright, as a "bad port", before connecting). */
async function closedPort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  return port;
}

describe('ensureJars', () => {
  it('downloads every locked jar, checks it, marks the folder complete and reuses it', async () => {
    const { lock, contents } = fakeJars();
    const repositoryUrl = await serveRepository((name, response) => response.end(contents.get(name)));
    const paths = homePaths(join(folder, 'home'));
    expect(await ensureJars(paths, log, { lock, repositoryUrl, mavenCommand: noMaven() })).toBe('fetched');
    expect(await verifyJars(lock, paths.libs)).toEqual({ missing: [], different: [] });
    expect((await readdir(paths.libs)).sort(byName)).toEqual(['.complete', ...contents.keys()].sort(byName));
    expect(await ensureJars(paths, log, { lock, repositoryUrl: 'http://127.0.0.1:9/unused', mavenCommand: noMaven() })).toBe('present');
  });

  it('deletes a jar whose SHA-256 differs and fails with one line, without trying Maven', async () => {
    const { lock, contents } = fakeJars();
    const repositoryUrl = await serveRepository((name, response) =>
      response.end(name.startsWith('log4j') ? Buffer.from('<html>proxy login</html>') : contents.get(name)),
    );
    const paths = homePaths(join(folder, 'home'));
    const error = await ensureJars(paths, log, { lock, repositoryUrl, mavenCommand: await fakeMaven(await writeJars(contents)) }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: ErrorCodes.mavenFailed });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^log4j-core-1\\.0\\.jar from .*/maven2/org/example/log4j-core/1\\.0/log4j-core-1\\.0\\.jar has SHA-256 [0-9a-f]{64}, not ${lock.jars[1]?.sha256} .*deleted`,
      ),
    );
    expect((error as Error).message).not.toContain('\n');
    expect(existsSync(join(folder, 'mvn-ran'))).toBe(false);
    expect(await readdir(paths.home)).toEqual([]);
  });

  it('falls back to Maven when the repository cannot be reached, and checks what Maven fetched', async () => {
    const { lock, contents } = fakeJars();
    const repositoryUrl = await serveRepository((_name, response) => response.writeHead(503).end());
    const paths = homePaths(join(folder, 'home'));
    const mvn = await fakeMaven(await writeJars(contents));
    expect(await ensureJars(paths, log, { lock, repositoryUrl, mavenCommand: mvn })).toBe('fetched');
    expect(existsSync(join(folder, 'mvn-ran'))).toBe(true);
    expect(await verifyJars(lock, paths.libs)).toEqual({ missing: [], different: [] });
  });

  it('refuses what Maven fetched when it is not what the lock pins', async () => {
    const { lock, contents } = fakeJars();
    const repositoryUrl = await serveRepository((_name, response) => response.writeHead(404).end());
    const other = new Map([...contents].map(([name]) => [name, randomBytes(10)]));
    const error = await ensureJars(homePaths(join(folder, 'home')), log, { lock, repositoryUrl, mavenCommand: await fakeMaven(await writeJars(other)) }).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toMatch(/^Maven fetched jars that are not the ones kafka\/jars\.lock\.json pins \(kafka_2\.13-1\.0\.jar differs/);
  });

  it('says what to do in one line when neither the repository nor Maven is there', async () => {
    const { lock } = fakeJars();
    const repositoryUrl = `http://127.0.0.1:${await closedPort()}/maven2`;
    const error = await ensureJars(homePaths(join(folder, 'home')), log, { lock, repositoryUrl, mavenCommand: noMaven() }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ErrorCodes.mavenFailed });
    expect((error as Error).message).toMatch(
      /^could not download the Kafka jars \(http:\/\/127\.0\.0\.1:\d+\/maven2\/org\/example\/.*ECONNREFUSED.*\): check the network; .*MAVEN_REPOSITORY_URL=.*apt install maven.*docker compose up -d/,
    );
    expect(await readdir(join(folder, 'home'))).toEqual([]);
  });

  it("gives Maven's own reason when Maven fails too", async () => {
    const { lock } = fakeJars();
    const repositoryUrl = await serveRepository((_name, response) => response.writeHead(403).end());
    const error = await ensureJars(homePaths(join(folder, 'home')), log, { lock, repositoryUrl, mavenCommand: await fakeMaven(undefined) }).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toMatch(
      /^could not download the Kafka jars \(.* answered HTTP 403.*\), and Maven could not either \(Could not transfer .*Connection refused\)/,
    );
  });

  it('leaves no partial file when interrupted mid-download', async () => {
    const { lock, contents } = fakeJars();
    const requests = new EventEmitter();
    // Half of each jar, then silence: the download is under way when the abort comes.
    const repositoryUrl = await serveRepository((name, response) => {
      response.writeHead(200, { 'content-length': String(contents.get(name)?.length) });
      response.write(contents.get(name)?.subarray(0, 25_000));
    }, requests);
    const stop = new AbortController();
    const paths = homePaths(join(folder, 'home'));
    const started = once(requests, 'request');
    const result = ensureJars(paths, log, { lock, repositoryUrl, mavenCommand: await fakeMaven(undefined), signal: stop.signal }).catch(
      (caught: unknown) => caught,
    );
    await started;
    await vi.waitFor(async () => expect((await readdir(join(paths.home, `libs.partial-${process.pid}`))).some((name) => name.endsWith('.part'))).toBe(true));
    stop.abort();
    expect(await result).toMatchObject({ code: ErrorCodes.interrupted });
    expect(await readdir(paths.home)).toEqual([]);
    expect(existsSync(join(folder, 'mvn-ran'))).toBe(false);
  });

  it('removes the staging folder an interrupted download left behind, but not one still being written', async () => {
    const { lock, contents } = fakeJars();
    const repositoryUrl = await serveRepository((name, response) => response.end(contents.get(name)));
    const home = join(folder, 'home');
    // Pid 2^22 + 1 is above Linux's pid_max, so no process has it: a download killed long ago.
    const abandoned = join(home, 'libs.partial-4194305');
    // The parent of this test process is alive: a download still running in another terminal.
    const inProgress = join(home, `libs.partial-${process.ppid}`);
    for (const staging of [abandoned, inProgress]) {
      await mkdir(staging, { recursive: true });
      await writeFile(join(staging, 'kafka_2.13-4.3.1.jar'), 'half a jar');
    }
    expect(await ensureJars(homePaths(home), log, { lock, repositoryUrl, mavenCommand: noMaven() })).toBe('fetched');
    expect((await readdir(home)).sort(byName)).toEqual(['libs', `libs.partial-${process.ppid}`]);
    expect(await readFile(join(home, 'libs', '.complete'), 'utf8')).toBe('4.3.1\n');
  });
});
