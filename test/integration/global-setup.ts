/**
 * Starts or reuses the broker every integration test talks to, chosen the same way as for the CLIs
 * (KAFKA_BROKERS, else Docker via testcontainers, else the local JVM broker), and stops it
 * afterwards only if this run started it.
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { describeRunning } from '../../kafka/broker-control.js';
import { LocalCluster } from '../../kafka/local-cluster.js';
import { selectBroker } from '../../kafka/broker-selection.js';
import { settings } from '../../shared/config.js';
import { connectClient, createKafka } from '../../shared/kafka-client.js';
import { createRootLogger, type Logger } from '../../shared/logger.js';
import { projectRoot } from '../../shared/paths.js';
import { ensureTopic } from '../../shared/topics.js';

declare module 'vitest' {
  export interface ProvidedContext {
    brokers: string[];
    brokerRuntime: string;
  }
}

/** @testcontainers/kafka v11 drives Confluent's images only; cp-kafka 8.x is Apache Kafka 4.x in KRaft mode. */
const testcontainersImage = 'confluentinc/cp-kafka:8.1.0';

/**
 * The broker a learner gets from kafka:up (or Compose) has the harness topic with 6 partitions: so does
 * one these tests start, or tests of commands that use it by default (doctor, the demo) would depend on
 * who started the broker.
 */
async function ensureHarnessTopic(brokers: string[], topic: string, log: Logger): Promise<void> {
  const admin = createKafka({ clientId: 'harness-test-setup', brokers, log }).admin();
  await connectClient(admin, brokers);
  try {
    await ensureTopic(admin, { topic, partitions: 6, replicationFactor: 1 }, log);
  } finally {
    await admin.disconnect();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Tests run the CLIs as a user does, from dist/ (worker threads and forked children need JavaScript).
  execFileSync(process.execPath, [`${projectRoot}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: projectRoot, stdio: 'inherit' });

  const log = createRootLogger({ level: 'warn' }).child({ component: 'test-broker' });
  const config = settings();
  const choice = await selectBroker({ purpose: 'test', settings: config });
  project.provide('brokerRuntime', choice.runtime);

  if (choice.runtime === 'external') {
    // Otherwise every test fails on its own after its connection timeout, each with the same ECONNREFUSED.
    if ((await describeRunning(choice.brokers, log)) === undefined) {
      const error = new Error(
        `no Kafka broker answers at KAFKA_BROKERS=${choice.brokers.join(',')}, so no integration test can run: start that broker, or unset KAFKA_BROKERS to let the tests start a local one (npm run doctor checks the setup)`,
      );
      // The stack would point at this file, which is not where the problem is.
      error.stack = error.message;
      throw error;
    }
    project.provide('brokers', [...choice.brokers]);
    return async () => {};
  }

  if (choice.runtime === 'testcontainers') {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer(testcontainersImage).withEnvironment({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' }).start();
    const brokers = [`${container.getHost()}:${container.getMappedPort(9093)}`];
    await ensureHarnessTopic(brokers, config.topic, log);
    project.provide('brokers', brokers);
    return async () => {
      await container.stop();
    };
  }

  // A broker already answering on the default address (another checkout's, a kafka:up left running) is reused.
  if ((await describeRunning(config.brokers, log)) !== undefined) {
    project.provide('brokers', [...config.brokers]);
    process.stderr.write(`[integration] reusing the Kafka already answering at ${config.brokers.join(',')}\n`);
    return async () => {};
  }

  const cluster = new LocalCluster({ home: config.kafkaHome, log, javaHome: config.javaHome, heapOpts: config.kafkaHeapOpts });
  // When up() fails it stops the nodes it started itself, so a throw here leaves no JVM behind.
  const result = await cluster.up({ timeoutMs: 120_000 });
  await ensureHarnessTopic(result.brokers, config.topic, log);
  project.provide('brokers', result.brokers);
  process.stderr.write(
    result.started.length > 0
      ? `[integration] started a local Kafka ${result.state.kafkaVersion} at ${result.brokers.join(',')}; it stops when the tests end\n`
      : `[integration] reusing the local Kafka already running at ${result.brokers.join(',')}\n`,
  );
  return async () => {
    // Only the nodes this run started: a node that was already running (a kafka:up of your own) stays.
    // Side by side: a quorum that loses its majority one node at a time makes the rest wait.
    await Promise.all(result.started.map((nodeId) => cluster.stopNode(nodeId)));
  };
}
