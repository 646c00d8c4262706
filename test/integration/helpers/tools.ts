/**
 * Optional command-line tools some tests use as independent witnesses (kcat). Missing on a laptop,
 * such a test is skipped with a loud warning; under CI=true it must run, so it fails instead.
 */
import { spawnSync } from 'node:child_process';
import { settings } from '../../../shared/config.js';

export function toolAvailable(command: string, versionArgs = ['-V']): boolean {
  return spawnSync(command, versionArgs, { stdio: 'ignore' }).error === undefined;
}

/** Whether a test that needs `command` should run; warns loudly when it will be skipped. */
export function shouldRunWith(command: string, installHint: string, versionArgs?: string[]): boolean {
  if (toolAvailable(command, versionArgs)) return true;
  if (settings().ci) return true; // under CI a missing tool is a failure, never a skip
  process.stderr.write(`\n*** SKIPPED: ${command} is not installed, so the tests that need it did not run (${installHint}) ***\n\n`);
  return false;
}

export interface KcatRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers?: string[];
}

/** Everything in a topic, read by kcat (librdkafka): a second client that shares no code with ours. */
export function kcatReadAll(brokers: readonly string[], topic: string): KcatRecord[] {
  const result = spawnSync('kcat', ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-J', '-q'], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`kcat failed (${result.status}): ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as KcatRecord);
}
