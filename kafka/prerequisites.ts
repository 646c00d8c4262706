/**
 * What the local JVM broker needs before it can start — Java 17+, the Kafka jars, free ports — each
 * checked with an error that says what to do about it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { ErrorCodes, HarnessError, InterruptedError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { projectRoot } from '../shared/paths.js';
import { startTicker } from '../shared/progress.js';
import { settings } from '../shared/config.js';
import { DownloadFailures, downloadJars, JarDownloadError, verifyJars } from './jar-fetch.js';
import { readJarsLock, totalBytes, type JarsLock } from './jars-lock.js';
import { kafkaVersion, type HomePaths } from './layout.js';
import { isAlive } from './processes.js';

export const minimumJavaVersion = 17;

const otherWays = 'or use Docker (docker compose up -d), or point KAFKA_BROKERS at a running broker';

export interface JavaRuntime {
  path: string;
  majorVersion: number;
}

/** `java -version` text → major version: "17.0.15" → 17, "1.8.0_292" → 8. */
export function parseJavaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

// Broker selection asks whether Java is there, then the local cluster needs it: run `java -version` once.
const javaByPath = new Map<string, JavaRuntime>();

/** The Java the broker runs on: JAVA_HOME's when set, else the one on PATH; 17 or newer. */
export function findJava(javaHome: string | undefined): JavaRuntime {
  const path = javaHome ? join(javaHome, 'bin', 'java') : 'java';
  const known = javaByPath.get(path);
  if (known) return known;
  const result = spawnSync(path, ['-version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.error) {
    const where = javaHome ? `at ${path} (JAVA_HOME)` : 'on PATH';
    throw new HarnessError(
      ErrorCodes.javaMissing,
      `Java was not found ${where}: install Java ${minimumJavaVersion}+ (e.g. apt install openjdk-17-jre-headless), ${otherWays}`,
    );
  }
  const majorVersion = parseJavaMajorVersion(`${result.stderr}${result.stdout}`);
  if (majorVersion === undefined || majorVersion < minimumJavaVersion) {
    throw new HarnessError(
      ErrorCodes.javaMissing,
      `Kafka ${kafkaVersion} needs Java ${minimumJavaVersion}+, but ${path} is ${majorVersion ?? 'of an unknown version'}: install Java ${minimumJavaVersion}+ (or set JAVA_HOME to one), ${otherWays}`,
    );
  }
  const java = { path, majorVersion };
  javaByPath.set(path, java);
  return java;
}

/** Whether findJava succeeds, for broker selection. */
export function javaPresent(javaHome: string | undefined): boolean {
  try {
    findJava(javaHome);
    return true;
  } catch {
    return false;
  }
}

export function jarsPresent(paths: HomePaths): boolean {
  return existsSync(paths.libsMarker);
}

export interface EnsureJarsOptions {
  /** The Maven command tried when the direct download fails; default `mvn` (tests stand a script in for it). */
  mavenCommand?: string;
  /** Repository with Maven's layout to download from; default MAVEN_REPOSITORY_URL or Maven Central. */
  repositoryUrl?: string;
  /** The jars to fetch; default kafka/jars.lock.json. */
  lock?: JarsLock;
  /** Aborting stops the downloads (or Maven) and removes what they had written. */
  signal?: AbortSignal | undefined;
}

/**
 * Staging folders of downloads whose process is gone (killed, or the machine rebooted): about 55 MB
 * each, and nothing else would ever remove them.
 */
async function removeStaleStaging(paths: HomePaths): Promise<void> {
  const folder = dirname(paths.libs);
  const prefix = `${basename(paths.libs)}.partial-`;
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    // A download still running in another terminal keeps its folder.
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) continue;
    await rm(join(folder, name), { recursive: true, force: true });
  }
}

const megabytes = (bytes: number): string => (bytes / 1_000_000).toFixed(1);

/**
 * Puts Kafka and its runtime dependencies into `libs/` once: the jars of kafka/jars.lock.json,
 * downloaded directly and checked against their SHA-256. When the direct download can't reach the
 * repository (a proxy, a mirror only Maven is configured for) and `mvn` is installed, Maven fetches
 * them instead, honouring ~/.m2/settings.xml, and they are checked the same way. Everything goes to
 * a temporary folder renamed when complete, so an interrupted download is never mistaken for a
 * finished one.
 */
export async function ensureJars(paths: HomePaths, log: Logger, options: EnsureJarsOptions = {}): Promise<'present' | 'fetched'> {
  const { mavenCommand = 'mvn', signal } = options;
  if (jarsPresent(paths) && (await readFile(paths.libsMarker, 'utf8')).trim() === kafkaVersion) return 'present';
  const lock = options.lock ?? readJarsLock();
  const repositoryUrl = options.repositoryUrl ?? settings().mavenRepositoryUrl;
  await removeStaleStaging(paths);
  const staging = `${paths.libs}.partial-${process.pid}`;
  await mkdir(staging, { recursive: true });
  const total = totalBytes(lock);
  const what = `the Kafka ${kafkaVersion} jars (${lock.jars.length} files, ${megabytes(total)} MB, first run only)`;
  const ticker = startTicker(`fetching ${what}`);
  if (!ticker.visible) log.info({ kafkaVersion, from: repositoryUrl, into: paths.libs }, `fetching ${what}`);
  try {
    try {
      await downloadJars(lock, staging, {
        repositoryUrl,
        signal,
        onProgress: (received) => ticker.update(`fetching the Kafka ${kafkaVersion} jars: ${megabytes(received)} of ${megabytes(total)} MB`),
      });
    } catch (error) {
      if (signal?.aborted || !(error instanceof JarDownloadError) || error.failure === DownloadFailures.checksum) throw error;
      ticker.update(`fetching the Kafka ${kafkaVersion} jars with Maven`);
      await fetchWithMaven(staging, lock, mavenCommand, error, signal, log);
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (signal?.aborted) throw new InterruptedError('interrupted while fetching the Kafka jars (nothing was kept): run it again to fetch them');
    throw error;
  } finally {
    ticker.stop();
  }
  await writeFile(join(staging, '.complete'), `${kafkaVersion}\n`);
  await rm(paths.libs, { recursive: true, force: true });
  await rename(staging, paths.libs);
  return 'fetched';
}

/** The second route: Maven resolves kafka/pom.xml through whatever ~/.m2/settings.xml configures. */
async function fetchWithMaven(
  staging: string,
  lock: JarsLock,
  mavenCommand: string,
  directFailure: JarDownloadError,
  signal: AbortSignal | undefined,
  log: Logger,
): Promise<void> {
  const direct = directFailure.message.slice(0, 200);
  const pom = join(projectRoot, 'kafka', 'pom.xml');
  const args = ['-B', '-q', '--no-transfer-progress', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`];
  let outcome: { code: number; output: string };
  try {
    // Said as soon as mvn starts (not before: it may not exist), since Maven's own output is quiet.
    outcome = await runToEnd(mavenCommand, args, signal, () =>
      log.warn({ reason: direct }, 'the direct download of the Kafka jars failed; trying Maven, which honours ~/.m2/settings.xml'),
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HarnessError(
        ErrorCodes.mavenFailed,
        `could not download the Kafka jars (${direct}): check the network; behind a proxy or with a mirror, set MAVEN_REPOSITORY_URL=<mirror>/maven2 or install Maven (apt install maven) configured in ~/.m2/settings.xml; ${otherWays}`,
        { cause: directFailure },
      );
    }
    throw error;
  }
  if (outcome.code !== 0) {
    const reason =
      outcome.output
        .split('\n')
        .find((line) => line.includes('[ERROR]'))
        ?.replace(/^\[ERROR\]\s*/, '') ?? `mvn exited with ${outcome.code}`;
    throw new HarnessError(
      ErrorCodes.mavenFailed,
      `could not download the Kafka jars (${direct}), and Maven could not either (${reason.slice(0, 200)}): check the network or proxy (~/.m2/settings.xml), ${otherWays}`,
      { details: outcome.output.trim().split('\n').slice(-5), cause: directFailure },
    );
  }
  const check = await verifyJars(lock, staging);
  const wrong = [...check.missing.map((name) => `${name} missing`), ...check.different.map((name) => `${name} differs`)];
  if (wrong.length > 0) {
    throw new HarnessError(
      ErrorCodes.mavenFailed,
      `Maven fetched jars that are not the ones kafka/jars.lock.json pins (${wrong.slice(0, 3).join(', ')}${wrong.length > 3 ? ', …' : ''}): kafka/pom.xml and the lock disagree, or the mirror serves other files`,
    );
  }
}

/**
 * Runs a command to its end, collecting stdout and stderr together. Aborting `signal` kills it
 * (SIGTERM). `onSpawn` runs once the command has started (a missing command rejects with ENOENT instead).
 */
export function runToEnd(command: string, args: readonly string[], signal?: AbortSignal, onSpawn?: () => void): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], signal });
    if (onSpawn) child.once('spawn', onSpawn);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** True when nothing listens on host:port (we could bind it ourselves). */
export function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortsFree(ports: readonly number[], host: string): Promise<void> {
  for (const port of ports) {
    if (!(await isPortFree(port, host))) {
      throw new HarnessError(
        ErrorCodes.portInUse,
        `port ${port} on ${host} is already in use by another process (see: ss -ltnp 'sport = :${port}'): stop it, start on other ports (npm run kafka:up -- --port 12092), or use that broker (KAFKA_BROKERS=${host}:${port})`,
        { port, host },
      );
    }
  }
}
