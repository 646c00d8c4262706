/**
 * An unhandled rejection is a bug whose effects nobody knows: the house rule is to log it, stop
 * everything gracefully (consumers flush and commit) and exit non-zero, rather than carry on or die
 * mid-batch.
 */
import type { Logger } from '../../shared/logger.js';
import type { Shutdown } from '../../shared/shutdown.js';

export interface RejectionGuard {
  /** Whether an unhandled rejection happened: the exit code must then say failure. */
  readonly failed: boolean;
  /** The listener installed on the process. */
  readonly listener: (reason: unknown) => void;
  dispose(): void;
}

export function stopOnUnhandledRejection(shutdown: Pick<Shutdown, 'requestStop'>, log: Logger): RejectionGuard {
  let failed = false;
  const listener = (reason: unknown): void => {
    failed = true;
    log.error({ err: reason }, 'unhandled promise rejection; stopping');
    shutdown.requestStop('unhandled promise rejection');
  };
  process.on('unhandledRejection', listener);
  return {
    get failed() {
      return failed;
    },
    listener,
    dispose() {
      process.off('unhandledRejection', listener);
    },
  };
}
