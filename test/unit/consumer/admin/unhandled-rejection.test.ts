import { describe, expect, it, vi } from 'vitest';
import { stopOnUnhandledRejection } from '../../../../consumer/admin/unhandled-rejection.js';
import { createRootLogger } from '../../../../shared/logger.js';

const log = createRootLogger({ level: 'silent' });

describe('stopOnUnhandledRejection', () => {
  it('listens on the process; a rejection is logged, asks for a graceful stop and marks the run failed', () => {
    const shutdown = { requestStop: vi.fn() };
    const guard = stopOnUnhandledRejection(shutdown, log);
    try {
      expect(process.listeners('unhandledRejection')).toContain(guard.listener);
      expect(guard.failed).toBe(false);
      // Called directly: emitting the event would also reach the test runner's own listener.
      guard.listener(new Error('nobody awaited this'));
      expect(shutdown.requestStop).toHaveBeenCalledWith('unhandled promise rejection');
      expect(guard.failed).toBe(true);
    } finally {
      guard.dispose();
    }
    expect(process.listeners('unhandledRejection')).not.toContain(guard.listener);
  });
});
