import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRootLogger } from '../../../shared/logger.js';
import { installShutdown, type Shutdown } from '../../../shared/shutdown.js';

const log = createRootLogger({ level: 'silent' });
let shutdown: Shutdown | undefined;

afterEach(() => {
  shutdown?.dispose();
  shutdown = undefined;
  vi.restoreAllMocks();
  vi.useRealTimers();
});

function mockExit() {
  return vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
}

describe('installShutdown', () => {
  it('turns the first SIGINT into a graceful stop request', async () => {
    const exit = mockExit();
    shutdown = installShutdown({ log, graceMs: 10_000 });
    process.emit('SIGINT', 'SIGINT');
    expect(shutdown.requested).toBe(true);
    expect(shutdown.signal.aborted).toBe(true);
    await expect(shutdown.whenRequested).resolves.toBe('SIGINT');
    expect(exit).not.toHaveBeenCalled();
  });

  it('forces exit 130 on a second signal, after calling onForce', () => {
    vi.useFakeTimers();
    const exit = mockExit();
    const onForce = vi.fn();
    shutdown = installShutdown({ log, graceMs: 10_000, onForce });
    process.emit('SIGTERM', 'SIGTERM');
    vi.advanceTimersByTime(1_000);
    process.emit('SIGINT', 'SIGINT');
    expect(onForce).toHaveBeenCalledOnce();
    expect(exit).toHaveBeenCalledWith(130);
  });

  it('ignores the copy of one Ctrl-C that npm run forwards a moment later', () => {
    const exit = mockExit();
    shutdown = installShutdown({ log, graceMs: 10_000 });
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    expect(exit).not.toHaveBeenCalled();
  });

  it('forces exit 130 when the graceful stop outlasts its deadline', () => {
    vi.useFakeTimers();
    const exit = mockExit();
    shutdown = installShutdown({ log, graceMs: 5_000 });
    shutdown.requestStop('duration reached');
    vi.advanceTimersByTime(4_999);
    expect(exit).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2);
    expect(exit).toHaveBeenCalledWith(130);
  });

  it('clears its deadline and handlers on dispose', () => {
    vi.useFakeTimers();
    const exit = mockExit();
    const before = process.listenerCount('SIGINT');
    shutdown = installShutdown({ log, graceMs: 5_000 });
    shutdown.requestStop('done');
    shutdown.dispose();
    vi.advanceTimersByTime(10_000);
    expect(exit).not.toHaveBeenCalled();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
