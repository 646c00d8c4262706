/**
 * A Jest globalSetup: `globalSetup: 'kafka-harness/testing/jest-global-setup'` with
 * `globalTeardown: 'kafka-harness/testing/jest-global-teardown'` starts one throwaway broker for the
 * run. Tests read its addresses from KAFKA_BROKERS: Jest's workers start after this and inherit it.
 */
import { storeJestHandle } from './jest-global-handle.js';
import { startKafka } from './start-kafka.js';

export default async function globalSetup(): Promise<void> {
  const kafka = await startKafka();
  process.env.KAFKA_BROKERS = kafka.brokers.join(',');
  storeJestHandle(kafka);
}
