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
import { settings } from './config.js';
import { BrokerUnreachableError, HarnessError, ErrorCodes, isHarnessError, messageOf } from './errors.js';
import { getLogger, type Logger } from './logger.js';
import { kafkaJsSecurity, usesSasl, usesTls, type SecuritySettings } from './security.js';

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
  /** TLS and SASL. Default: the process's (settings().security: the environment, or --command-config). */
  security?: SecuritySettings;
}

export const defaultRetry: Readonly<RetryOptions> = { initialRetryTime: 250, retries: 5, maxRetryTime: 2_000 };

/**
 * A producer gives up on a batch only after about two minutes of waiting (60 retries, 2 s apart
 * after the first few), like the Java client's delivery.timeout.ms (120 s): long enough to ride out
 * a broker restart or a leader election. For an idempotent producer, giving up sooner also risks
 * out-of-sequence errors on the batches after it. The producing CLI gives it to its client too
 * (createKafka's retry), since KafkaJS reconnects a send's lost broker with the client's retry, not
 * the producer's. A first connection still fails fast: connectClient's deadline bounds it.
 */
export const deliveryRetry: Readonly<RetryOptions> = { ...defaultRetry, retries: 60 };

/** What createProducer gives an idempotent producer that names no retry of its own. */
export const idempotentRetry: Readonly<RetryOptions> = deliveryRetry;

/**
 * KafkaJS logs every failed connection attempt at ERROR, then throws once retries are exhausted;
 * the thrown error is what we report, so the per-attempt lines drop to debug. A rebalance is
 * routine, not an error.
 */
function pinoLevelFor(entry: LogEntry): 'error' | 'warn' | 'info' | 'debug' | 'trace' {
  const { namespace, level, log } = entry;
  if (level === KafkaLogLevel.ERROR) {
    if (namespace === 'Connection' || namespace === 'BrokerPool') return 'debug';
    // A failed login is thrown and reported in one line by explainKafkaError.
    if (namespace.startsWith('SaslAuthenticator')) return 'debug';
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
    ...kafkaJsSecurity(options.security ?? settings().security),
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

/** Node's codes for a certificate chain that does not lead to a trusted CA. */
const untrustedCertificateCodes = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

function fieldOf(entry: unknown, field: 'code' | 'broker'): string | undefined {
  const value = entry === null || entry === undefined ? undefined : (entry as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

/** Which setting a user changes, in the words of where the settings came from. */
function settingHint(security: SecuritySettings, variables: string): string {
  return security.origin.startsWith('--command-config') ? `check ${security.origin}` : `check ${variables}`;
}

/**
 * A refused login, a certificate that is not trusted or not for this host, or a client and a
 * listener that disagree on TLS: each says which setting to change. Undefined for anything else.
 */
export function explainSecurityFailure(error: unknown, brokers: readonly string[], security: SecuritySettings): HarnessError | undefined {
  const chain = causes(error);
  const broker = chain.map((entry) => fieldOf(entry, 'broker')).find((value) => value !== undefined);
  const where = broker ?? brokers.join(', ');
  const options = { cause: error, brokers, protocol: security.protocol };
  const sasl = chain.find((entry) => nameOf(entry) === 'KafkaJSSASLAuthenticationError');
  if (sasl !== undefined && security.sasl !== undefined) {
    const { mechanism, username } = security.sasl;
    if (/not supported by the server/.test(messageOf(sasl))) {
      return new HarnessError(
        ErrorCodes.authenticationFailed,
        `the broker at ${where} does not offer SASL ${mechanism}: pick a mechanism it enables (sasl.enabled.mechanisms)`,
        options,
      );
    }
    return new HarnessError(
      ErrorCodes.authenticationFailed,
      `authentication failed for user ${username} with ${mechanism} at ${where}: ${settingHint(security, 'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)')}`,
      options,
    );
  }
  const codes = chain.map((entry) => fieldOf(entry, 'code')).filter((code) => code !== undefined);
  const messages = chain.map((entry) => messageOf(entry)).join(' | ');
  if (usesTls(security.protocol)) {
    if (codes.some((code) => untrustedCertificateCodes.has(code))) {
      return new HarnessError(
        ErrorCodes.tlsFailed,
        `the certificate of the broker at ${where} is not signed by a CA this client trusts: ${settingHint(security, 'KAFKA_SSL_CA_FILE (the CA that signed it, a PEM file)')}`,
        options,
      );
    }
    if (codes.includes('ERR_TLS_CERT_ALTNAME_INVALID')) {
      const host = where.replace(/:\d+$/, '');
      return new HarnessError(
        ErrorCodes.tlsFailed,
        `the certificate of the broker at ${where} is not for "${host}": connect by a name the certificate lists (its subject alternative names), e.g. 127.0.0.1`,
        options,
      );
    }
    if (codes.includes('CERT_HAS_EXPIRED') || codes.includes('CERT_NOT_YET_VALID')) {
      return new HarnessError(
        ErrorCodes.tlsFailed,
        `the certificate of the broker at ${where} is expired or not yet valid: renew it (or check this machine's clock)`,
        options,
      );
    }
    // The broker's alert when a listener with ssl.client.auth=required gets no certificate, or one it does not trust.
    if (codes.some((code) => /CERTIFICATE_REQUIRED|BAD_CERTIFICATE/.test(code)) || /certificate required|alert bad certificate/i.test(messages)) {
      return new HarnessError(
        ErrorCodes.tlsFailed,
        security.tls?.cert === undefined
          ? `the broker at ${where} requires a client certificate: ${settingHint(security, 'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE')}`
          : `the broker at ${where} refused the client certificate (not signed by a CA it trusts?): ${settingHint(security, 'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE')}`,
        options,
      );
    }
    // A plaintext listener reads the ClientHello as an oversized request and hangs up mid-handshake.
    if (codes.includes('ECONNRESET') || codes.includes('EPROTO') || /TLS connection|wrong version number|Connection closed|Closed connection/i.test(messages)) {
      return new HarnessError(
        ErrorCodes.protocolMismatch,
        `no TLS handshake with ${where}: is it a plaintext listener? ${security.protocol} needs an SSL or SASL_SSL port (npm run kafka:up -- --secure prints them), or set the protocol to ${usesSasl(security.protocol) ? 'SASL_PLAINTEXT' : 'PLAINTEXT'}`,
        options,
      );
    }
  } else if (
    !chain.some((entry) => fieldOf(entry, 'code') === 'ECONNREFUSED') &&
    /Connection closed|Closed connection|ECONNRESET|socket hang up/i.test(`${messages} ${codes.join(' ')}`)
  ) {
    // A TLS listener answers a plaintext request with a TLS alert and hangs up; so does a SASL listener asked for metadata before a login.
    return new HarnessError(
      ErrorCodes.protocolMismatch,
      `the broker at ${where} closed the connection before answering: if it is a TLS or SASL listener, set KAFKA_SECURITY_PROTOCOL (SSL, SASL_SSL or SASL_PLAINTEXT); it is ${security.protocol} now (${security.origin})`,
      options,
    );
  }
  return undefined;
}

/**
 * Turns what KafkaJS throws into a HarnessError a user can act on; other errors pass through.
 * `security` is what the client was made with (default: the process's).
 */
export function explainKafkaError(error: unknown, brokers: readonly string[], security: SecuritySettings = settings().security): unknown {
  if (isHarnessError(error)) return error;
  const securityFailure = explainSecurityFailure(error, brokers, security);
  if (securityFailure !== undefined) return securityFailure;
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
