/**
 * Errors cross from a worker thread to the main thread as plain data (an Error's class does not
 * survive postMessage), and are rebuilt there into the HarnessError the CLI reports.
 */
import { BrokerUnreachableError, ErrorCodes, HarnessError, UsageError, allowedErrorCodes, messageOf, type ErrorCode } from '../shared/errors.js';
import { explainKafkaError } from '../shared/kafka-client.js';
import type { SerializedError } from './types.js';

export function serializeError(error: unknown, brokers: readonly string[]): SerializedError {
  const explained = explainKafkaError(error, brokers) as { code?: unknown; brokers?: readonly string[] };
  return {
    code: typeof explained.code === 'string' ? explained.code : ErrorCodes.runtime,
    message: messageOf(explained),
    ...(explained.brokers ? { brokers: explained.brokers } : {}),
  };
}

export function toHarnessError(error: SerializedError): HarnessError {
  if (error.code === ErrorCodes.brokerUnreachable) return new BrokerUnreachableError(error.brokers ?? []);
  if (error.code === ErrorCodes.usage) return new UsageError(error.message);
  const code = (allowedErrorCodes as readonly string[]).includes(error.code) ? (error.code as ErrorCode) : ErrorCodes.runtime;
  return new HarnessError(code, error.message);
}
