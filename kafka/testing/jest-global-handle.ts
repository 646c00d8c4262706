import type { KafkaForTests } from './types.js';

/**
 * Where the Jest globalSetup leaves the broker for the globalTeardown: Jest runs both in its parent
 * process and documents globalThis as the way between them.
 */
export const jestHandleKey = '__kafkaHarnessTestingKafka';

type HandleHolder = { [jestHandleKey]?: KafkaForTests | undefined };

export function storeJestHandle(kafka: KafkaForTests): void {
  (globalThis as HandleHolder)[jestHandleKey] = kafka;
}

export function takeJestHandle(): KafkaForTests | undefined {
  const holder = globalThis as HandleHolder;
  const kafka = holder[jestHandleKey];
  delete holder[jestHandleKey];
  return kafka;
}
