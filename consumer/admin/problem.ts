/**
 * Errors as RFC 9457 problem details (application/problem+json): a status, a one-line detail and,
 * for bad input, which field was wrong. Never a stack trace.
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { isHarnessError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';

export class HttpError extends Error {
  readonly status: number;
  readonly title: string;
  readonly extra: Record<string, unknown>;

  constructor(status: number, title: string, detail: string, extra: Record<string, unknown> = {}) {
    super(detail);
    this.status = status;
    this.title = title;
    this.extra = extra;
  }
}

export const badRequest = (detail: string, extra: Record<string, unknown> = {}): HttpError => new HttpError(400, 'Bad Request', detail, extra);
export const notFound = (detail: string): HttpError => new HttpError(404, 'Not Found', detail);
export const conflict = (detail: string, extra: Record<string, unknown> = {}): HttpError => new HttpError(409, 'Conflict', detail, extra);
export const serviceUnavailable = (detail: string): HttpError => new HttpError(503, 'Service Unavailable', detail);

/** Parses with a zod schema; failures become a 400 naming each bad field. */
export function parseOrBadRequest<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
  throw badRequest(`invalid ${what}: ${errors.map((error) => `${error.path}: ${error.message}`).join('; ')}`, { errors });
}

export function sendProblem(response: Response, error: HttpError): void {
  response
    .status(error.status)
    .type('application/problem+json')
    .json({ type: 'about:blank', title: error.title, status: error.status, detail: error.message, ...error.extra });
}

/** The last middleware: known errors keep their status, body-parser's keep theirs, anything else is a 500 without details. */
export function problemHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, _request, response, next) => {
    if (response.headersSent) return next(error);
    if (error instanceof HttpError) return sendProblem(response, error);
    const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // body-parser: 413 for a body over the limit, 400 for broken JSON, 415 for an unsupported charset.
      const detail = status === 413 ? 'request body too large' : status === 400 ? 'request body is not valid JSON' : String((error as Error).message);
      return sendProblem(response, new HttpError(status, STATUS_CODES[status] ?? 'Client Error', detail));
    }
    if (isHarnessError(error))
      return sendProblem(response, new HttpError(error.exitCode === 2 ? 400 : 502, error.exitCode === 2 ? 'Bad Request' : 'Bad Gateway', error.message));
    log.error({ err: error }, 'request failed');
    return sendProblem(response, new HttpError(500, 'Internal Server Error', 'the request failed; the server log has the details'));
  };
}
