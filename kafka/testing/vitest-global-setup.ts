/**
 * A vitest globalSetup: `globalSetup: ['kafka-harness/testing/vitest-global-setup']` starts one
 * throwaway broker for the whole run and stops it afterwards. Tests read its addresses with
 * `inject('brokers')`, or from KAFKA_BROKERS (set here, before vitest starts its workers).
 */
import { startKafka } from './start-kafka.js';

/** The part of vitest's TestProject used here, so this file needs no vitest types to compile. */
export interface ProvidingProject {
  provide(key: 'brokers', value: string[]): void;
}

export default async function setup(project: ProvidingProject): Promise<() => Promise<void>> {
  const kafka = await startKafka();
  project.provide('brokers', kafka.brokers);
  process.env.KAFKA_BROKERS = kafka.brokers.join(',');
  return () => kafka.stop();
}
