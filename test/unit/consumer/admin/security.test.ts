import type { Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { assertSafeToListen, hostCheck, refuseCrossSite, requireToken } from '../../../../consumer/admin/security.js';
import { readAdminSettings } from '../../../../consumer/admin/settings.js';

function run(handler: ReturnType<typeof hostCheck>, headers: Record<string, string>, method = 'GET') {
  const response = { statusCode: 200, status: vi.fn(), type: vi.fn(), json: vi.fn(), setHeader: vi.fn() };
  response.status.mockImplementation((code: number) => {
    response.statusCode = code;
    return response;
  });
  response.type.mockReturnValue(response);
  const next = vi.fn();
  handler({ method, headers } as unknown as Request, response as unknown as Response, next);
  return { passed: next.mock.calls.length === 1, status: response.statusCode };
}

describe('hostCheck', () => {
  const check = hostCheck(readAdminSettings({ ADMIN_PORT: '8080' }));
  it.each(['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST', '[::1]:8080', '127.0.0.1'])('lets %s through', (host) => {
    expect(run(check, { host }).passed).toBe(true);
  });
  it.each(['evil.example', '127.0.0.1.evil.example:8080', '', '192.168.1.5:8080'])('answers %j with 421', (host) => {
    expect(run(check, { host })).toEqual({ passed: false, status: 421 });
  });
});

describe('refuseCrossSite', () => {
  const check = refuseCrossSite();
  const host = '127.0.0.1:8080';

  it('lets the dashboard change things: same origin, by both headers', () => {
    expect(run(check, { host, origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' }, 'POST').passed).toBe(true);
    expect(run(check, { host: '[::1]:8080', origin: 'http://[::1]:8080' }, 'DELETE').passed).toBe(true);
  });

  it('lets clients that are not browsers through: they send neither header', () => {
    expect(run(check, { host }, 'POST').passed).toBe(true);
  });

  it.each([
    ['a page on another site', { host, 'sec-fetch-site': 'cross-site' }],
    ['another port on this machine', { host, 'sec-fetch-site': 'same-site' }],
    ['an old browser on another site', { host, origin: 'https://attacker.example' }],
    ['a page on another port', { host, origin: 'http://127.0.0.1:3000' }],
    ['a localhost page on another port', { host: 'localhost:8080', origin: 'http://localhost:3000' }],
    ['a sandboxed frame', { host, origin: 'null' }],
  ])('refuses a POST from %s with 403', (_what, headers) => {
    expect(run(check, headers, 'POST')).toEqual({ passed: false, status: 403 });
  });

  it('lets reads through from anywhere: they change nothing', () => {
    expect(run(check, { host, origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' }, 'GET').passed).toBe(true);
  });
});

describe('requireToken', () => {
  const check = requireToken(readAdminSettings({ ADMIN_TOKEN: 's3cret' }));
  it('accepts exactly the token', () => {
    expect(run(check, { authorization: 'Bearer s3cret' }).passed).toBe(true);
    expect(run(check, { authorization: 'Bearer s3cret2' })).toEqual({ passed: false, status: 401 });
    expect(run(check, { authorization: 's3cret' })).toEqual({ passed: false, status: 401 });
    expect(run(check, {})).toEqual({ passed: false, status: 401 });
  });
  it('lets everything through when no token is set', () => {
    expect(run(requireToken(readAdminSettings({})), {}).passed).toBe(true);
  });
});

describe('assertSafeToListen', () => {
  it('refuses a non-loopback address without a token', () => {
    expect(() => assertSafeToListen(readAdminSettings({ ADMIN_HOST: '0.0.0.0' }))).toThrow(/set ADMIN_TOKEN/);
    expect(() => assertSafeToListen(readAdminSettings({ ADMIN_HOST: '0.0.0.0', ADMIN_TOKEN: 't' }))).not.toThrow();
    expect(() => assertSafeToListen(readAdminSettings({ ADMIN_HOST: '127.0.0.1' }))).not.toThrow();
  });
});
