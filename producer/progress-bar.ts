/** A progress bar on stderr while messages go out: only on a terminal, never under -q or in a pipe. */
import cliProgress from 'cli-progress';

export interface ProgressView {
  update(written: number, failed: number): void;
  stop(): void;
}

const silent: ProgressView = { update() {}, stop() {} };

/** `countLabel` names what the count is: 'acknowledged', or 'written' under --acks 0. */
export function createProgressView(total: number, enabled: boolean, countLabel: string): ProgressView {
  if (!enabled || !process.stderr.isTTY) return silent;
  const bounded = total > 0;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: bounded
        ? 'producing {bar} {percentage}% | {value}/{total} | {rate} msg/s | failed {failed} | ETA {eta_formatted}'
        : `producing | {value} ${countLabel} | {rate} msg/s | failed {failed} | {duration_formatted} (Ctrl-C to stop)`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = performance.now();
  bar.start(bounded ? total : 0, 0, { rate: 0, failed: 0 });
  return {
    update(written, failed) {
      const seconds = (performance.now() - startedAt) / 1000;
      bar.update(written, { rate: Math.round(written / Math.max(seconds, 0.001)), failed });
    },
    stop() {
      bar.stop();
    },
  };
}
