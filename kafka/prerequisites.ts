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
  /** The Maven command; default `mvn` (tests stand a script in for it). */
  mavenCommand?: string;
  /** Aborting stops Maven and removes what it had copied. */
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

/**
 * Copies Kafka and its runtime dependencies from Maven Central into `libs/` once. Maven writes into
 * a temporary folder that is renamed when complete, so an interrupted download is never mistaken
 * for a finished one.
 */
export async function ensureJars(paths: HomePaths, log: Logger, options: EnsureJarsOptions = {}): Promise<'present' | 'fetched'> {
  const { mavenCommand = 'mvn', signal } = options;
  if (jarsPresent(paths) && (await readFile(paths.libsMarker, 'utf8')).trim() === kafkaVersion) return 'present';
  await removeStaleStaging(paths);
  const staging = `${paths.libs}.partial-${process.pid}`;
  await mkdir(staging, { recursive: true });
  const ticker = startTicker(`fetching the Kafka ${kafkaVersion} jars from Maven Central (first run only, about 55 MB)`);
  if (!ticker.visible) log.info({ kafkaVersion, into: paths.libs }, 'fetching the Kafka jars from Maven Central (first run only, about 55 MB)');
  const pom = join(projectRoot, 'kafka', 'pom.xml');
  const args = ['-B', '-q', '--no-transfer-progress', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`];
  try {
    const { code, output } = await runToEnd(mavenCommand, args, signal);
    if (code !== 0) {
      const reason =
        output
          .split('\n')
          .find((line) => line.includes('[ERROR]'))
          ?.replace(/^\[ERROR\]\s*/, '') ?? `mvn exited with ${code}`;
      throw new HarnessError(
        ErrorCodes.mavenFailed,
        `Maven could not fetch the Kafka jars from Maven Central (${reason.slice(0, 200)}): check the network or proxy (~/.m2/settings.xml), ${otherWays}`,
        {
          details: output.trim().split('\n').slice(-5),
        },
      );
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (signal?.aborted) throw new InterruptedError('interrupted while fetching the Kafka jars (nothing was kept): run it again to fetch them');
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HarnessError(
        ErrorCodes.mavenFailed,
        `Maven (mvn) is not installed; it fetches the Kafka jars once: install it (e.g. apt install maven), ${otherWays}`,
      );
    }
    throw error;
  } finally {
    ticker.stop();
  }
  await writeFile(join(staging, '.complete'), `${kafkaVersion}\n`);
  await rm(paths.libs, { recursive: true, force: true });
  await rename(staging, paths.libs);
  return 'fetched';
}

/** Runs a command to its end, collecting stdout and stderr together. Aborting `signal` kills it (SIGTERM). */
export function runToEnd(command: string, args: readonly string[], signal?: AbortSignal): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], signal });
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
