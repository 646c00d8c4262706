/**
 * The one place KafkaJS clients are made: client id, brokers, timeouts and retries that fail in
 * seconds rather than minutes, KafkaJS's own logs routed into pino, and the Java-compatible murmur2
 * partitioner chosen explicitly (so a key lands where the Java client would put it, and KafkaJS
 * prints no partitioner warning).
 */
import { connect, isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';
import kafkajs from 'kafkajs';
import type { Consumer, ConsumerConfig, ISocketFactory, Kafka as KafkaClient, LogEntry, Producer, ProducerConfig, RetryOptions } from 'kafkajs';
import { BrokerUnreachableError, HarnessError, ErrorCodes, isHarnessError, messageOf } from './errors.js';
import { getLogger, type Logger } from './logger.js';

// KafkaJS is CommonJS; Node's ESM loader can't see every name it exports, so take them from the default.
const { Kafka, Partitioners, logLevel: KafkaLogLevel } = kafkajs;

export type { Kafka as KafkaClient } from 'kafkajs';

export interface KafkaClientOptions {
  clientId: string;
  brokers: readonly string[];
  log?: Logger;
  /** TCP connect timeout per attempt, ms. Default 3000. */
  connectionTimeoutMs?: number;
  /** Per-request timeout, ms. Default 30000 (KafkaJS's). */
  requestTimeoutMs?: number;
  /**
   * Backoff for retriable failures. Default: 5 retries from 250 ms, doubling up to 2 s: ~6 s of
   * waiting in all, plus each attempt's own time (see connectDeadlineMs for the first connection).
   */
  retry?: RetryOptions;
  /** How connections are opened. Default: TCP with Nagle off (socketFactory below); the workshop routes one through a fault-injecting proxy. */
  socketFactory?: ISocketFactory;
}

export const defaultRetry: Readonly<RetryOptions> = { initialRetryTime: 250, retries: 5, maxRetryTime: 2_000 };

/**
 * An idempotent producer gives up on a batch only after about two minutes, like the Java client's
 * delivery.timeout.ms: giving up sooner risks out-of-sequence errors on the batches after it.
 */
export const idempotentRetry: Readonly<RetryOptions> = { ...defaultRetry, retries: 30 };

/**
 * KafkaJS logs every failed connection attempt at ERROR, then throws once retries are exhausted;
 * the thrown error is what we report, so the per-attempt lines drop to debug. A rebalance is
 * routine, not an error.
 */
function pinoLevelFor(entry: LogEntry): 'error' | 'warn' | 'info' | 'debug' | 'trace' {
  const { namespace, level, log } = entry;
  if (level === KafkaLogLevel.ERROR) {
    if (namespace === 'Connection' || namespace === 'BrokerPool') return 'debug';
    if (/rebalanc/i.test(log.message)) return 'info';
    // Logged before each retry of a send; only the error after the last retry is a failure.
    if (namespace === 'Producer' && log.message.startsWith('Failed to send messages')) return 'warn';
    // A consumer crash is reported (once, without KafkaJS's stack) by whoever runs the consumer.
    if (namespace === 'Consumer' && (log.message.startsWith('Crash:') || log.message.startsWith('Restarting the consumer'))) return 'debug';
    return 'error';
  }
  if (level === KafkaLogLevel.WARN) {
    // Our idempotent retry bound is deliberate (see idempotentRetry), so the warning about it is noise.
    if (log.message.startsWith('Limiting retries for the idempotent producer')) return 'debug';
    // Every member rejoins whenever one joins or leaves the group: worth seeing, nothing wrong.
    if (/rebalanc/i.test(log.message)) return 'info';
    return 'warn';
  }
  // KafkaJS's INFO is chatty (every start, join and stop); our components log what matters.
  if (level === KafkaLogLevel.INFO) return 'debug';
  return 'trace';
}

/**
 * KafkaJS's own socket factory leaves Nagle's algorithm on, so a small request (a commit, a fetch)
 * can sit in the kernel until the previous one is acknowledged: tens of milliseconds with delayed
 * ACKs. The Java client sets TCP_NODELAY; so does this.
 */
export const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? connectTls({ host, port, ...(isIP(host) ? {} : { servername: host }), ...(typeof ssl === 'object' ? ssl : {}) }, onConnect)
    : connect({ host, port }, onConnect);
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 60_000);
  return socket;
};

function kafkaLogLevelFor(log: Logger): number {
  if (log.isLevelEnabled('debug')) return KafkaLogLevel.DEBUG;
  if (log.isLevelEnabled('info')) return KafkaLogLevel.INFO;
  if (log.isLevelEnabled('warn')) return KafkaLogLevel.WARN;
  return KafkaLogLevel.ERROR;
}

export function createKafka(options: KafkaClientOptions): KafkaClient {
  const log = (options.log ?? getLogger('kafka')).child({ lib: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { ...defaultRetry, ...options.retry },
    socketFactory: options.socketFactory ?? socketFactory,
    logLevel: kafkaLogLevelFor(log),
    logCreator: () => (entry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry.log;
      log[pinoLevelFor(entry)]({ namespace: entry.namespace, ...fields }, message);
    },
  });
}

/**
 * A producer with the Java client's murmur2 partitioner (KafkaJS's DefaultPartitioner since 2.0)
 * that never auto-creates topics.
 */
export function createProducer(kafka: KafkaClient, config: ProducerConfig = {}): Producer {
  const retry = config.retry ?? (config.idempotent ? idempotentRetry : undefined);
  // Never create a topic as a side effect of producing to a misspelt name.
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, ...config, ...(retry ? { retry } : {}) });
}

/** A consumer that never auto-creates topics. */
export function createConsumer(kafka: KafkaClient, config: ConsumerConfig): Consumer {
  return kafka.consumer({ allowAutoTopicCreation: false, ...config });
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 10; ) {
    chain.push(current);
    const next: unknown = (current as { cause?: unknown; originalError?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
    current = next;
  }
  return chain;
}

/** The `name` of whatever was thrown; undefined for null and undefined, which have no properties to read. */
function nameOf(thrown: unknown): unknown {
  return thrown === null || thrown === undefined ? undefined : (thrown as { name?: unknown }).name;
}

/**
 * True when KafkaJS gave up because no broker accepted a connection, or every one it made was
 * closed before Kafka answered (something else listens on that port).
 */
export function isConnectionFailure(error: unknown): boolean {
  return causes(error).some((entry) => {
    const name = nameOf(entry);
    return (
      name === 'KafkaJSConnectionError' ||
      name === 'KafkaJSConnectionClosedError' ||
      name === 'KafkaJSBrokerNotFound' ||
      name === 'KafkaJSNoBrokerAvailableError'
    );
  });
}

/** Turns what KafkaJS throws into a HarnessError a user can act on; other errors pass through. */
export function explainKafkaError(error: unknown, brokers: readonly string[]): unknown {
  if (isHarnessError(error)) return error;
  if (isConnectionFailure(error)) return new BrokerUnreachableError(brokers, { cause: error });
  const name = nameOf(error);
  if (typeof name === 'string' && name.startsWith('KafkaJS')) {
    return new HarnessError(ErrorCodes.runtime, `Kafka request failed: ${messageOf(error)}`, {
      cause: error,
      retriable: (error as { retriable?: boolean }).retriable === true,
      brokers,
    });
  }
  return error;
}

/**
 * How long a first connection may take in all. A refused connection fails each attempt at once,
 * so KafkaJS's retries end in ~6 s; an address that never answers costs a whole timeout on every
 * attempt: ~24 s in all for a firewall that drops packets (3 s to connect), minutes for a port that
 * accepts but never speaks Kafka (30 s for a reply). The bound answers "is the broker there?" within
 * about 10 s either way.
 */
export const connectDeadlineMs = 9_000;

export interface ConnectOptions {
  /** Give up after this long, ms. Default connectDeadlineMs. */
  deadlineMs?: number;
}

/** `await client.connect()`, reporting a broker that is down or silent by its addresses. */
export async function connectClient(
  client: { connect(): Promise<void>; disconnect(): Promise<void> },
  brokers: readonly string[],
  options: ConnectOptions = {},
): Promise<void> {
  const deadlineMs = options.deadlineMs ?? connectDeadlineMs;
  const connecting = client.connect();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
  let connected: boolean;
  try {
    connected = await Promise.race([connecting.then(() => true), deadline]);
  } catch (error) {
    throw explainKafkaError(error, brokers);
  } finally {
    clearTimeout(timer);
  }
  if (!connected) {
    // KafkaJS can't be told to stop retrying: a connection made after all is closed, a failure ignored.
    connecting.then(() => client.disconnect()).catch(() => {});
    throw new BrokerUnreachableError(brokers, { cause: new Error(`no connection within ${deadlineMs} ms`) });
  }
}
