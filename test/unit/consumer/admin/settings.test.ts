import { isAbsolute } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, readAdminSettings } from '../../../../consumer/admin/settings.js';
import { UsageError } from '../../../../shared/errors.js';

describe('readAdminSettings', () => {
  it('is safe by default: loopback, no HTTP origins, 50 consumers', () => {
    const admin = readAdminSettings({});
    expect(admin).toMatchObject({ host: '127.0.0.1', port: 8080, token: undefined, httpAllow: [], brokerAllow: [], maxConsumers: 50, databaseUrl: undefined });
    expect(admin.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(isAbsolute(admin.stateFile) && admin.stateFile.endsWith('.admin/state.json')).toBe(true);
    expect(Object.isFrozen(admin)).toBe(true);
  });

  it('reads the ADMIN_* variables and checks them', () => {
    expect(readAdminSettings({ ADMIN_HTTP_ALLOW: 'http://127.0.0.1:8081/path, https://hooks.example' }).httpAllow).toEqual([
      'http://127.0.0.1:8081',
      'https://hooks.example',
    ]);
    expect(() => readAdminSettings({ ADMIN_HTTP_ALLOW: 'file:///etc' })).toThrow(/ADMIN_HTTP_ALLOW has "file:\/\/\/etc"/);
    expect(() => readAdminSettings({ ADMIN_PORT: 'http' })).toThrow(/ADMIN_PORT is "http"/);
    expect(() => readAdminSettings({ ADMIN_MAX_CONSUMERS: '0' })).toThrow(UsageError);
    expect(() => readAdminSettings({ ADMIN_MAX_CONSUMERS: '0' })).toThrow(/ADMIN_MAX_CONSUMERS/);
    expect(readAdminSettings({ ADMIN_BROKER_ALLOW: 'kafka-2:9093' }).brokerAllow).toEqual(['kafka-2:9093']);
    expect(() => readAdminSettings({ ADMIN_BROKER_ALLOW: 'kafka-2' })).toThrow(/ADMIN_BROKER_ALLOW has "kafka-2"/);
  });

  it('accepts the listening host in the Host header only when it is not loopback', () => {
    expect(readAdminSettings({ ADMIN_HOST: '10.0.0.5' }).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]', '10.0.0.5']);
    expect(readAdminSettings({ ADMIN_HOST: '127.0.0.2' }).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(readAdminSettings({ ADMIN_ALLOWED_HOSTS: 'admin.lan, kafka.lan' }).allowedHosts).toEqual(['admin.lan', 'kafka.lan']);
  });
});

describe('isLoopbackHost', () => {
  it.each([['127.0.0.1'], ['127.8.9.10'], ['localhost'], ['::1'], ['[::1]']])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([['0.0.0.0'], ['10.0.0.5'], ['128.0.0.1'], ['127.0.0'], ['localhost.example'], ['::']])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});
