import { describe, expect, it } from 'vitest';
import { userScoped } from '../../../shared/names.js';

describe('userScoped', () => {
  it('prefixes the name with the user and a dot', () => {
    expect(userScoped('alice', 'orders')).toBe('alice.orders');
    expect(userScoped('alice', 'orders.dlq')).toBe('alice.orders.dlq');
  });

  it('leaves the name as it is without a user', () => {
    expect(userScoped(undefined, 'orders')).toBe('orders');
  });

  // Scoping twice (a name from the config, then again in a helper) must not give alice.alice.orders.
  it('does not prefix a name that already carries the prefix', () => {
    expect(userScoped('alice', 'alice.orders')).toBe('alice.orders');
    expect(userScoped('alice', userScoped('alice', 'orders'))).toBe('alice.orders');
  });

  it('prefixes a name that merely starts with the user name', () => {
    expect(userScoped('alice', 'alicean')).toBe('alice.alicean');
    expect(userScoped('bob', 'alice.orders')).toBe('bob.alice.orders');
  });
});
