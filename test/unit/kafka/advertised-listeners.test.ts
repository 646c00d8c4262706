import { describe, expect, it } from 'vitest';
import { judgeAdvertisedListeners, Reachabilities } from '../../../kafka/advertised-listeners.js';

const node = (host: string, port: number, nodeId = 1) => ({ nodeId, host, port });

describe('judgeAdvertisedListeners', () => {
  it('passes a broker that advertises the address the client was given', () => {
    const verdict = judgeAdvertisedListeners(['127.0.0.1:9092'], [node('127.0.0.1', 9092)], new Map());
    expect(verdict).toEqual({ ok: true, detail: '127.0.0.1:9092, the address clients were given' });
  });

  it('passes another address that this machine reaches, and names both', () => {
    const verdict = judgeAdvertisedListeners(['localhost:9092'], [node('127.0.0.1', 9092)], new Map([['127.0.0.1:9092', Reachabilities.reachable]]));
    expect(verdict.ok).toBe(true);
    expect(verdict.detail).toBe('127.0.0.1:9092 (clients were given localhost:9092), reachable from here');
  });

  it('fails the container-name trap: answers on localhost, advertises a host that does not resolve here', () => {
    const verdict = judgeAdvertisedListeners(['localhost:9092'], [node('kafka', 29092)], new Map([['kafka:29092', Reachabilities.unresolvable]]));
    expect(verdict.ok).toBe(false);
    expect(verdict.detail).toBe(
      'the broker answers at localhost:9092 but tells clients to use kafka:29092, and from here kafka:29092 does not resolve: clients connect, then fail',
    );
    expect(verdict.fix).toMatch(/^advertise an address clients can reach .*not the container name.*make kafka resolve here/);
  });

  it('fails when one node of several advertises an address nothing listens on', () => {
    const verdict = judgeAdvertisedListeners(
      ['127.0.0.1:9092'],
      [node('127.0.0.1', 9092, 1), node('127.0.0.1', 9093, 2)],
      new Map([
        ['127.0.0.1:9092', Reachabilities.reachable],
        ['127.0.0.1:9093', Reachabilities.unreachable],
      ]),
    );
    expect(verdict.ok).toBe(false);
    expect(verdict.detail).toMatch(/from here 127\.0\.0\.1:9093 does not accept connections/);
  });

  it('compares host names without regard to case', () => {
    expect(judgeAdvertisedListeners(['LocalHost:9092'], [node('localhost', 9092)], new Map()).detail).toMatch(/the address clients were given/);
  });

  it('fails metadata that names no broker', () => {
    expect(judgeAdvertisedListeners(['127.0.0.1:9092'], [], new Map()).ok).toBe(false);
  });
});
