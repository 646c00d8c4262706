import { describe, expect, it } from 'vitest';
import { parseBrokerList, parseUser, readSettings } from '../../../shared/config.js';
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

describe('parseUser', () => {
  it('takes no user from an unset or empty value', () => {
    expect(parseUser(undefined, 'HARNESS_USER')).toBeUndefined();
    expect(parseUser('', 'HARNESS_USER')).toBeUndefined();
  });

  it.each([['alice'], ['Bob_2'], ['team-7'], ['a'.repeat(40)]])('keeps %j as it is', (user) => {
    expect(parseUser(user, 'HARNESS_USER')).toBe(user);
  });

  // A dot would make `<user>.<name>` ambiguous; the other characters are not allowed in a topic name.
  it.each([['alice.b'], ['al ice'], ['ålice'], ['a/b'], ['a'.repeat(41)]])('rejects %j, naming where it came from', (user) => {
    expect(() => parseUser(user, '--user')).toThrow(UsageError);
    expect(() => parseUser(user, '--user')).toThrow(new RegExp(`--user is "${user}"`));
  });

  it('is what readSettings reads from HARNESS_USER', () => {
    expect(readSettings({ HARNESS_USER: 'alice' }).user).toBe('alice');
    expect(readSettings({}).user).toBeUndefined();
    expect(() => readSettings({ HARNESS_USER: 'alice.b' })).toThrow(/HARNESS_USER is "alice.b"/);
  });
});
