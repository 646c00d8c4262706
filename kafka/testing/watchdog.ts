/**
 * `node watchdog.js <parent pid> <home>`: started detached by startKafka, it outlives a test runner
 * that dies without calling stop() (SIGKILL, a crash, a closed terminal) and then kills the brokers
 * that runner started and deletes their folder. A normal stop() kills this watchdog itself.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../processes.js';
import { killClusterNodes } from './orphan-guard.js';

/** How often the parent is checked: at most this long before the brokers of a dead runner are killed. */
const pollMs = 500;

async function watch(parentPid: number, home: string): Promise<void> {
  // The home disappears when stop() has run: nothing is left to guard.
  while (isAlive(parentPid) && existsSync(home)) await sleep(pollMs);
  if (existsSync(home)) await killClusterNodes(home);
}

const [parent, home] = process.argv.slice(2);
const parentPid = Number(parent);
if (!Number.isInteger(parentPid) || parentPid <= 0 || !home) {
  process.stderr.write('usage: node watchdog.js <parent pid> <kafka home>\n');
  process.exit(2);
}
await watch(parentPid, home);
