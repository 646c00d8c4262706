/**
 * Throwaway local clusters for tests of kafka:up/down themselves: a temporary home on ports of its
 * own, so the broker the other tests use is never touched. Whatever a test starts is stopped and
 * deleted when it ends, even when it fails.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { LocalCluster } from '../../../kafka/local-cluster.js';
import { settings } from '../../../shared/config.js';
import { testLog } from './kafka.js';

export interface TempHome {
  home: string;
  cluster: LocalCluster;
  /** Environment for the CLIs: this home, and no KAFKA_BROKERS to divert them. */
  env: Record<string, string | undefined>;
}

export async function createTempKafkaHome(): Promise<TempHome> {
  const home = await mkdtemp(join(tmpdir(), 'harness-kafka-'));
  // Share the project's jars instead of fetching 55 MB again.
  const projectLibs = join(settings().kafkaHome, 'libs');
  if (existsSync(projectLibs)) await symlink(projectLibs, join(home, 'libs'));
  const cluster = new LocalCluster({ home, log: testLog, javaHome: settings().javaHome, heapOpts: '-Xms256m -Xmx512m' });
  onTestFinished(async () => {
    await cluster.down({ wipe: true });
    await rm(home, { recursive: true, force: true });
  });
  return {
    home,
    cluster,
    env: { KAFKA_HARNESS_HOME: home, KAFKA_BROKERS: undefined, KAFKA_BOOTSTRAP_SERVERS: undefined, KAFKA_HEAP_OPTS: '-Xms256m -Xmx512m' },
  };
}
