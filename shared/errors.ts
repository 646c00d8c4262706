/**
 * One error type for everything the harness reports to a user. The `code` comes from a closed list,
 * the exit code follows from it, and the context (broker addresses, topic, port…) sits on fields so
 * pino and the admin's JSON errors can show it without parsing the message.
 */

export const ExitCodes = {
  ok: 0,
  failure: 1,
  usage: 2,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

export const ErrorCodes = {
  usage: 'USAGE',
  brokerUnreachable: 'BROKER_UNREACHABLE',
  noBroker: 'NO_BROKER',
  topicNotFound: 'TOPIC_NOT_FOUND',
  javaMissing: 'JAVA_MISSING',
  mavenFailed: 'MAVEN_FAILED',
  portInUse: 'PORT_IN_USE',
  brokerStartFailed: 'BROKER_START_FAILED',
  clusterMismatch: 'CLUSTER_MISMATCH',
  deliveryFailed: 'DELIVERY_FAILED',
  authenticationFailed: 'AUTHENTICATION_FAILED',
  tlsFailed: 'TLS_FAILED',
  protocolMismatch: 'PROTOCOL_MISMATCH',
  interrupted: 'INTERRUPTED',
  closed: 'CLOSED',
  runtime: 'RUNTIME',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
export const allowedErrorCodes: readonly ErrorCode[] = Object.values(ErrorCodes);

export interface HarnessErrorOptions {
  cause?: unknown;
  /** Whether trying the same thing again may succeed (a broker restarting), never derived from text. */
  retriable?: boolean;
  /** Lines printed after the one-line message, e.g. the tail of a broker log. */
  details?: readonly string[];
  [field: string]: unknown;
}

export class HarnessError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly retriable: boolean;
  readonly details: readonly string[];
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: HarnessErrorOptions = {}) {
    const { cause, retriable = false, details = [], ...fields } = options;
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'HarnessError';
    this.code = code;
    this.exitCode = code === ErrorCodes.usage ? ExitCodes.usage : code === ErrorCodes.interrupted ? ExitCodes.interrupted : ExitCodes.failure;
    this.retriable = retriable;
    this.details = details;
    this.fields = fields;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, retriable: this.retriable, ...this.fields };
  }
}

/** A mistake on the command line or in a config value: the usage line and exit 2. */
export class UsageError extends HarnessError {
  constructor(message: string, options: HarnessErrorOptions = {}) {
    super(ErrorCodes.usage, message, options);
    this.name = 'UsageError';
  }
}

export class BrokerUnreachableError extends HarnessError {
  readonly brokers: readonly string[];

  constructor(brokers: readonly string[], options: HarnessErrorOptions = {}) {
    super(ErrorCodes.brokerUnreachable, `no Kafka broker answers at ${brokers.join(', ')}: is it running? (npm run kafka:up, or set KAFKA_BROKERS)`, {
      retriable: true,
      brokers,
      ...options,
    });
    this.name = 'BrokerUnreachableError';
    this.brokers = brokers;
  }
}

export class TopicNotFoundError extends HarnessError {
  readonly topic: string;

  constructor(topic: string, hint: string, options: HarnessErrorOptions = {}) {
    super(ErrorCodes.topicNotFound, `topic "${topic}" does not exist: ${hint}`, { topic, ...options });
    this.name = 'TopicNotFoundError';
    this.topic = topic;
  }
}

/** Ctrl-C (or SIGTERM) stopped the work before it finished: exit 130. */
export class InterruptedError extends HarnessError {
  constructor(message: string, options: HarnessErrorOptions = {}) {
    super(ErrorCodes.interrupted, message, options);
    this.name = 'InterruptedError';
  }
}

export function isHarnessError(error: unknown): error is HarnessError {
  return error instanceof HarnessError;
}

/** The message of anything thrown, for logs and one-line reports. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
