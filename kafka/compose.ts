/**
 * The Docker path: the same broker from docker-compose.yml (apache/kafka, KRaft, one node).
 */
import { join } from 'node:path';
import { ErrorCodes, HarnessError } from '../shared/errors.js';
import { projectRoot } from '../shared/paths.js';
import { runToEnd } from './prerequisites.js';

export const composeFile = join(projectRoot, 'docker-compose.yml');
export const composeBrokers = ['127.0.0.1:9092'] as const;

export interface ComposeOptions {
  /** Aborting stops the docker command. */
  signal?: AbortSignal | undefined;
  /** The Docker CLI; default `docker` (tests stand a script in for it). */
  dockerCommand?: string;
}

async function composeOrFail(args: string[], what: string, options: ComposeOptions = {}): Promise<string> {
  const { code, output } = await runToEnd(options.dockerCommand ?? 'docker', ['compose', '-f', composeFile, ...args], options.signal);
  if (code !== 0) {
    throw new HarnessError(ErrorCodes.brokerStartFailed, `docker compose ${what} failed (exit ${code})`, {
      details: output.trim().split('\n').slice(-10),
    });
  }
  return output;
}

/** Whether the kafka service's container runs: `docker compose ps -q` lists only running ones. */
export async function composeKafkaRunning(options: ComposeOptions = {}): Promise<boolean> {
  return (await composeOrFail(['ps', '--quiet', '--status', 'running', 'kafka'], 'ps', options)).trim().length > 0;
}

/** Starts the broker and waits for its healthcheck; the topic is then ensured like on the JVM path. */
export async function composeUp(options: ComposeOptions = {}): Promise<void> {
  await composeOrFail(['up', '--detach', '--wait', 'kafka'], 'up', options);
}

export async function composeDown(wipe: boolean): Promise<void> {
  await composeOrFail(['down', ...(wipe ? ['--volumes'] : [])], 'down');
}

/** `docker compose ps` as text, for kafka:status. */
export async function composePs(): Promise<string> {
  return (await composeOrFail(['ps', '--all'], 'ps')).trimEnd();
}
