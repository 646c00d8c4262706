import { describe, expect, it } from 'vitest';
import { BrokerUnreachableError, ErrorCodes, ExitCodes, HarnessError, UsageError } from '../../../shared/errors.js';

describe('errors', () => {
  it('maps codes to exit codes: usage 2, interrupted 130, anything else 1', () => {
    expect(new UsageError('bad flag').exitCode).toBe(ExitCodes.usage);
    expect(new HarnessError(ErrorCodes.interrupted, 'stopped').exitCode).toBe(ExitCodes.interrupted);
    expect(new HarnessError(ErrorCodes.portInUse, 'taken').exitCode).toBe(ExitCodes.failure);
  });

  it('names the brokers that did not answer and is retriable', () => {
    const error = new BrokerUnreachableError(['127.0.0.1:1', '127.0.0.1:2']);
    expect(error.message).toMatch(/^no Kafka broker answers at 127\.0\.0\.1:1, 127\.0\.0\.1:2/);
    expect(error.retriable).toBe(true);
  });

  it('serialises code, message and context fields, keeping the cause out', () => {
    const error = new HarnessError(ErrorCodes.portInUse, 'port 9092 is taken', { port: 9092, cause: new Error('EADDRINUSE') });
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: 'PORT_IN_USE', message: 'port 9092 is taken', retriable: false, port: 9092 });
    expect(error.cause).toBeInstanceOf(Error);
  });
});
