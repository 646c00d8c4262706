export { startKafka } from './start-kafka.js';
export type { KafkaForTests, StartKafkaOptions } from './types.js';
