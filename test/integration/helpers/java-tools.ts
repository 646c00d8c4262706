/**
 * Apache Kafka's own command-line tools (from the jars kafka:fetch downloads), run as witnesses:
 * what they print is what Kafka itself says.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { LagRow } from '../../../consumer/engine/lag.js';
import { homePaths } from '../../../kafka/layout.js';
import { findJava, jarsPresent } from '../../../kafka/prerequisites.js';
import { settings } from '../../../shared/config.js';

const kafkaPaths = homePaths(settings().kafkaHome);

export function javaToolsAvailable(): boolean {
  if (jarsPresent(kafkaPaths)) return true;
  if (settings().ci) return true; // under CI their absence is a failure, not a skip
  process.stderr.write(
    "\n*** SKIPPED: the Kafka jars are not in .kafka/libs, so the comparisons with Kafka's own tools did not run (npm run kafka:fetch) ***\n\n",
  );
  return false;
}

export function runKafkaTool(mainClass: string, args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  // The same Java as the broker's (JAVA_HOME first), not whichever is first on PATH.
  const java = findJava(settings().javaHome);
  const result = spawnSync(
    java.path,
    ['-Xmx256m', `-Dlog4j2.configurationFile=${kafkaPaths.log4jConfig}`, '-Dkafka.logs.dir=/tmp', '-cp', join(kafkaPaths.libs, '*'), mainClass, ...args],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `kafka-consumer-groups --describe --group <group>`, parsed into rows. */
export function describeGroupWithJava(brokers: readonly string[], group: string): LagRow[] {
  const result = runKafkaTool('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', [
    '--bootstrap-server',
    brokers.join(','),
    '--describe',
    '--group',
    group,
  ]);
  if (result.code !== 0) throw new Error(`ConsumerGroupCommand failed (${result.code}): ${result.stderr}`);
  const dash = (value: string): string | null => (value === '-' ? null : value);
  const number = (value: string): number | null => (value === '-' ? null : Number(value));
  return (
    result.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((cells) => cells.length === 9 && cells[0] === group)
      // The filter keeps rows of exactly nine cells, so the defaults only satisfy the type checker.
      .map(([, topic = '', partition = '', current = '', end = '', lag = '', consumerId = '', host = '', clientId = '']) => ({
        group,
        topic,
        partition: Number(partition),
        currentOffset: number(current),
        logEndOffset: Number(end),
        lag: number(lag),
        consumerId: dash(consumerId),
        host: dash(host),
        clientId: dash(clientId),
      }))
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
  );
}
