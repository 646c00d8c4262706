import { describe, expect, it } from 'vitest';
import { assertTransition } from '../../../../consumer/admin/lifecycle.js';

describe('assertTransition', () => {
  it.each([
    ['start', 'INACTIVE'],
    ['start', 'ERROR'],
    ['stop', 'ACTIVE'],
    ['stop', 'PAUSED'],
    ['pause', 'ACTIVE'],
    ['resume', 'PAUSED'],
  ] as const)('allows %s from %s', (action, status) => {
    expect(() => assertTransition(action, status)).not.toThrow();
  });

  it.each([
    ['start', 'ACTIVE'],
    ['start', 'PAUSED'],
    ['stop', 'INACTIVE'],
    ['stop', 'ERROR'],
    ['pause', 'PAUSED'],
    ['pause', 'ERROR'],
    ['resume', 'ACTIVE'],
    ['resume', 'ERROR'],
  ] as const)('refuses %s from %s with a 409 naming the status', (action, status) => {
    expect(() => assertTransition(action, status)).toThrow(
      expect.objectContaining({ status: 409, extra: { currentStatus: status }, message: `cannot ${action} a consumer that is ${status}` }),
    );
  });
});
