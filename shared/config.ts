/**
 * The settings every part of the harness shares, read once from the environment and frozen.
 * Precedence is defaults, then environment, then command-line flags: each CLI's yargs options take
 * their defaults from here, so a flag always wins. No other module reads `process.env`.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { projectRoot } from './paths.js';
import { securityFromCommandConfig, securityFromEnvironment, type SecuritySettings } from './security.js';

export const LogLevels = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'trace',
  silent: 'silent',
} as const;
export type LogLevel = (typeof LogLevels)[keyof typeof LogLevels];
export const allowedLogLevels: readonly LogLevel[] = Object.values(LogLevels);

export const defaultBrokers = ['127.0.0.1:9092'] as const;
export const defaultTopic = 'test-topic';

export interface Settings {
  /** Bootstrap brokers, `host:port` each. */
  readonly brokers: readonly string[];
  /** True when KAFKA_BROKERS (or KAFKA_BOOTSTRAP_SERVERS) named them: then nothing is started for you. */
  readonly brokersFromEnvironment: boolean;
  readonly topic: string;
  readonly logLevel: LogLevel;
  /** Where the local JVM broker keeps jars, data, logs and pid files. */
  readonly kafkaHome: string;
  /** JAVA_HOME, when set: its bin/java is preferred over the one on PATH. */
  readonly javaHome: string | undefined;
  /** Running under CI: tests that need a local service must run instead of skipping. */
  readonly ci: boolean;
  /** Log output as JSON even on a terminal (LOG_FORMAT=json). */
  readonly logFormat: 'auto' | 'json' | 'pretty';
  /** JVM heap flags for the local broker, as Kafka's own scripts take them (KAFKA_HEAP_OPTS). */
  readonly kafkaHeapOpts: string;
  /** Where the Kafka jars are downloaded from (MAVEN_REPOSITORY_URL): Maven Central, or a mirror with its layout. */
  readonly mavenRepositoryUrl: string;
  /**
   * HARNESS_USER: a learner's name on a cluster shared by a room. Every topic, group, transactional id
   * and client id a command creates starts with `<user>.`, so learners never collide (see shared/names.ts).
   */
  readonly user: string | undefined;
  /**
   * KAFKA_HARNESS_JARS: the folder of the Kafka jars for the throwaway brokers of kafka-harness/testing
   * (relative to the working directory), e.g. a `.kafka/libs` already filled. Unset: the machine's cache.
   */
  readonly jarsDir: string | undefined;
  /** XDG_CACHE_HOME when it is absolute (the XDG spec ignores a relative one), else ~/.cache. */
  readonly cacheHome: string;
  /**
   * TLS and SASL for every client the process makes: from KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and
   * KAFKA_SSL_*, or from a --command-config file, which replaces them all (see useCommandConfig).
   */
  readonly security: SecuritySettings;
  /**
   * The --command-config file these security settings came from, if any: the reference handed to
   * child processes and worker threads, which read the file themselves, so no secret crosses over.
   */
  readonly commandConfig: string | undefined;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** `host:port[,host:port…]` → a validated list; the message names the variable or flag it came from. */
export function parseBrokerList(text: string, origin: string): string[] {
  const brokers = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (brokers.length === 0) throw new UsageError(`${origin} is empty: give host:port, e.g. 127.0.0.1:9092`);
  for (const broker of brokers) {
    const match = /^(\[[0-9a-fA-F:]+\]|[^:\s/]+):(\d{1,5})$/.exec(broker);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) {
      throw new UsageError(`${origin} has "${broker}", which is not host:port (e.g. 127.0.0.1:9092)`);
    }
  }
  return brokers;
}

function parseLogLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return LogLevels.info;
  const level = value.toLowerCase();
  if (!(allowedLogLevels as readonly string[]).includes(level)) {
    throw new UsageError(`LOG_LEVEL is "${value}": use one of ${allowedLogLevels.join(', ')}`);
  }
  return level as LogLevel;
}

/** Kafka allows [a-zA-Z0-9._-] in topic names; a user name is kept to that, without dots, so `<user>.` is unambiguous. */
export function parseUser(value: string | undefined, origin: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(value)) {
    throw new UsageError(`${origin} is "${value}": use 1 to 40 letters, digits, _ or - (it prefixes topic and group names)`);
  }
  return value;
}

function parseLogFormat(value: string | undefined): Settings['logFormat'] {
  if (value === undefined || value === '') return 'auto';
  if (value === 'json' || value === 'pretty' || value === 'auto') return value;
  throw new UsageError(`LOG_FORMAT is "${value}": use json, pretty or auto`);
}

export function readSettings(env: Environment = process.env): Settings {
  const brokerVariable = env.KAFKA_BROKERS ? 'KAFKA_BROKERS' : env.KAFKA_BOOTSTRAP_SERVERS ? 'KAFKA_BOOTSTRAP_SERVERS' : undefined;
  const kafkaHome = env.KAFKA_HARNESS_HOME || '.kafka';
  return Object.freeze({
    brokers: Object.freeze(brokerVariable ? parseBrokerList(env[brokerVariable] ?? '', brokerVariable) : [...defaultBrokers]),
    brokersFromEnvironment: brokerVariable !== undefined,
    topic: env.KAFKA_TOPIC || defaultTopic,
    logLevel: parseLogLevel(env.LOG_LEVEL),
    kafkaHome: isAbsolute(kafkaHome) ? kafkaHome : resolve(projectRoot, kafkaHome),
    javaHome: env.JAVA_HOME || undefined,
    ci: env.CI === 'true' || env.CI === '1',
    logFormat: parseLogFormat(env.LOG_FORMAT),
    kafkaHeapOpts: env.KAFKA_HEAP_OPTS || '-Xms512m -Xmx512m',
    mavenRepositoryUrl: (env.MAVEN_REPOSITORY_URL || 'https://repo1.maven.org/maven2').replace(/\/+$/, ''),
    user: parseUser(env.HARNESS_USER, 'HARNESS_USER'),
    jarsDir: env.KAFKA_HARNESS_JARS ? resolve(env.KAFKA_HARNESS_JARS) : undefined,
    cacheHome: env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), '.cache'),
    // Relative paths in these variables are from the working directory: npm scripts run in the project root.
    security: securityFromEnvironment(env, process.cwd()),
    commandConfig: undefined,
  });
}

let cached: Settings | undefined;

/** The process's settings, read on first use so a bad variable is reported by the CLI's error handler. */
export function settings(): Settings {
  cached ??= readSettings();
  return cached;
}

/**
 * --command-config FILE (or the reference a parent passed down): from now on this process's clients
 * use the file's security settings instead of the environment's. Undefined leaves them as they are.
 * Returns the file's absolute path.
 */
export function useCommandConfig(file: string | undefined): string | undefined {
  if (file === undefined || file === '') return undefined;
  const path = resolve(process.cwd(), file);
  const security = securityFromCommandConfig(path, process.cwd());
  const current = settings();
  if (current.commandConfig !== path) cached = Object.freeze({ ...current, security, commandConfig: path });
  return path;
}
