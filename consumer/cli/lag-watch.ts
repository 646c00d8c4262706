/**
 * `npm run lag` once, or `--watch`ed: on a terminal the table is redrawn in place with the time of
 * its figures; elsewhere (a file, a pipe) each read prints a new table, as `watch`-like tools do in
 * a log. A broker that stops answering is said so, with the time of the last good figures, and the
 * reads go on until Ctrl-C (exit 0).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { ExitCodes, type ExitCode } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { installShutdown } from '../../shared/shutdown.js';
import { formatTable } from '../../shared/table.js';
import { describeGroupLag, type GroupLag } from '../engine/lag.js';
import { clockTime } from './clock.js';
import { LiveTable } from './live-table.js';
import { describePoll, Poller, type PollState, withAdmin } from './poller.js';

/** The table of kafka-consumer-groups --describe, with its line about a group without members. */
export function formatLag(lag: GroupLag): string {
  const dash = (value: number | string | null): string => (value === null ? '-' : String(value));
  const table = formatTable(
    ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
    lag.rows.map((row) => [
      row.group,
      row.topic,
      row.partition,
      dash(row.currentOffset),
      row.logEndOffset,
      dash(row.lag),
      dash(row.consumerId),
      dash(row.host),
      dash(row.clientId),
    ]),
  );
  if (isMissing(lag)) return `Consumer group '${lag.group}' does not exist (yet): no members, no committed offsets.`;
  return lag.state === 'Empty' ? `Consumer group '${lag.group}' has no active members.\n\n${table}` : table;
}

/** A group the broker knows nothing of: the one-shot view fails on it, the watch waits for it. */
export function isMissing(lag: GroupLag): boolean {
  return lag.state === 'Dead' && lag.rows.length === 0;
}

export interface WatchOptions {
  makeAdmin: () => Admin;
  brokers: readonly string[];
  group: string;
  topic: string | undefined;
  /** From the start of one read to the start of the next, ms. */
  intervalMs: number;
  /** One JSON object per read, one per line. */
  json: boolean;
  log: Logger;
  out?: NodeJS.WriteStream;
}

/** On Ctrl-C, a read still waiting on a silent broker gets this long before it is abandoned. */
const abandonReadAfterMs = 1_000;

export async function watchLag(options: WatchOptions): Promise<ExitCode> {
  const { group, topic, intervalMs, json, log } = options;
  const out = options.out ?? process.stdout;
  const shutdown = installShutdown({ log, graceMs: 10_000, announce: false });
  const reader = withAdmin(options.makeAdmin, options.brokers, (admin) => describeGroupLag(admin, group, topic));
  const live = out.isTTY && !json ? new LiveTable(out) : undefined;
  const every = `every ${intervalMs / 1000} s`;

  const redraw = (state: Readonly<PollState<GroupLag>>): void => {
    const status = describePoll(state, new Date());
    const head = `${every}: consumer group ${group}${state.value ? ` (${state.value.state})` : ''}${topic ? `, topic ${topic}` : ''}; Ctrl-C to stop`;
    live?.render([head, status, '', state.value ? formatLag(state.value) : ''].join('\n'));
  };
  const print = (state: Readonly<PollState<GroupLag>>): void => {
    if (state.error !== undefined) {
      // Diagnostics to stderr: stdout keeps only figures, so a file of tables or JSON lines stays clean.
      process.stderr.write(`${describePoll(state, new Date())}\n`);
      return;
    }
    if (!state.value || !state.readAt) return;
    if (json) out.write(`${JSON.stringify({ updatedAt: state.readAt.toISOString(), ...state.value })}\n`);
    else out.write(`last updated ${clockTime(state.readAt)}\n${formatLag(state.value)}\n\n`);
  };

  const poller = new Poller(reader.read, intervalMs, live ? redraw : print);
  poller.start();
  // Between reads too, so that the age of the figures and a read that hangs on a silent broker show.
  const ticker = live ? setInterval(() => redraw(poller.state), 1_000) : undefined;
  if (live) redraw(poller.state);

  await shutdown.whenRequested;
  clearInterval(ticker);
  const stopped = poller.stop();
  await reader.close();
  await Promise.race([stopped, sleep(abandonReadAfterMs)]);
  shutdown.dispose();
  return ExitCodes.ok;
}
