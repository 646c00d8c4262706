import type { Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { problemHandler } from '../../../../consumer/admin/problem.js';
import { createRootLogger } from '../../../../shared/logger.js';

function handle(error: unknown): { status: number; body: Record<string, unknown> } {
  const sent = { status: 0, body: {} as Record<string, unknown> };
  const response = { headersSent: false, status: vi.fn(), type: vi.fn(), json: vi.fn() };
  response.status.mockImplementation((code: number) => {
    sent.status = code;
    return response;
  });
  response.type.mockReturnValue(response);
  response.json.mockImplementation((body: Record<string, unknown>) => {
    sent.body = body;
    return response;
  });
  problemHandler(createRootLogger({ level: 'silent' }))(error, {} as Request, response as unknown as Response, vi.fn());
  return sent;
}

describe('problemHandler', () => {
  it.each([
    [413, 'Payload Too Large', 'request body too large'],
    [400, 'Bad Request', 'request body is not valid JSON'],
    [415, 'Unsupported Media Type', 'unsupported charset "LATIN-1"'],
  ])('gives a body-parser %i its own title', (status, title, detail) => {
    expect(handle(Object.assign(new Error('unsupported charset "LATIN-1"'), { status }))).toEqual({
      status,
      body: { type: 'about:blank', title, status, detail },
    });
  });

  it('answers an unknown error with a 500 that carries no details', () => {
    const { status, body } = handle(new Error('secret stack'));
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toMatch(/secret/);
  });
});
