import { describe, expect, it } from 'vitest';
import { parseBrokerList, readSettings } from '../../../shared/config.js';
import { UsageError } from '../../../shared/errors.js';

describe('parseBrokerList', () => {
  it('splits, trims and keeps host:port entries', () => {
    expect(parseBrokerList(' 127.0.0.1:9092, kafka-2:9093 ,[::1]:9094', 'KAFKA_BROKERS')).toEqual(['127.0.0.1:9092', 'kafka-2:9093', '[::1]:9094']);
  });

  it.each([['localhost'], ['host:0'], ['host:70000'], ['http://host:9092'], ['']])('rejects %j, naming where it came from', (text) => {
    expect(() => parseBrokerList(text, '--brokers')).toThrow(UsageError);
    expect(() => parseBrokerList(text, '--brokers')).toThrow(/--brokers/);
  });
});

describe('readSettings', () => {
  it('defaults to the local broker and test-topic', () => {
    const settings = readSettings({});
    expect(settings.brokers).toEqual(['127.0.0.1:9092']);
    expect(settings.brokersFromEnvironment).toBe(false);
    expect(settings.topic).toBe('test-topic');
    expect(settings.logLevel).toBe('info');
    expect(settings.kafkaHome).toMatch(/\.kafka$/);
  });

  it('takes KAFKA_BROKERS, or its alias KAFKA_BOOTSTRAP_SERVERS', () => {
    expect(readSettings({ KAFKA_BROKERS: 'a:1,b:2' }).brokers).toEqual(['a:1', 'b:2']);
    expect(readSettings({ KAFKA_BOOTSTRAP_SERVERS: 'c:3' })).toMatchObject({ brokers: ['c:3'], brokersFromEnvironment: true });
    expect(readSettings({ KAFKA_BROKERS: 'a:1', KAFKA_BOOTSTRAP_SERVERS: 'c:3' }).brokers).toEqual(['a:1']);
  });

  it('rejects a bad LOG_LEVEL or broker list with the variable named', () => {
    expect(() => readSettings({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL is "loud"/);
    expect(() => readSettings({ KAFKA_BROKERS: 'nope' })).toThrow(/KAFKA_BROKERS has "nope"/);
  });

  it('is frozen', () => {
    const settings = readSettings({});
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.brokers)).toBe(true);
  });

  it('reads CI=true as running under CI', () => {
    expect(readSettings({ CI: 'true' }).ci).toBe(true);
    expect(readSettings({}).ci).toBe(false);
  });
});

describe('readAdminSettings', () => {
  it('is safe by default: loopback, no HTTP origins, 50 consumers', async () => {
    const { readAdminSettings } = await import('../../../consumer/admin/settings.js');
    const admin = readAdminSettings({});
    expect(admin).toMatchObject({ host: '127.0.0.1', port: 8080, token: undefined, httpAllow: [], brokerAllow: [], maxConsumers: 50, databaseUrl: undefined });
    expect(admin.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
  });

  it('reads the ADMIN_* variables and checks them', async () => {
    const { readAdminSettings } = await import('../../../consumer/admin/settings.js');
    expect(readAdminSettings({ ADMIN_HTTP_ALLOW: 'http://127.0.0.1:8081/path, https://hooks.example' }).httpAllow).toEqual([
      'http://127.0.0.1:8081',
      'https://hooks.example',
    ]);
    expect(() => readAdminSettings({ ADMIN_HTTP_ALLOW: 'file:///etc' })).toThrow(/ADMIN_HTTP_ALLOW has "file:\/\/\/etc"/);
    expect(() => readAdminSettings({ ADMIN_PORT: 'http' })).toThrow(/ADMIN_PORT is "http"/);
    expect(() => readAdminSettings({ ADMIN_MAX_CONSUMERS: '0' })).toThrow(/ADMIN_MAX_CONSUMERS/);
    expect(readAdminSettings({ ADMIN_HOST: '10.0.0.5' }).allowedHosts).toContain('10.0.0.5');
  });
});
