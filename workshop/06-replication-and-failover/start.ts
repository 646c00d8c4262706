/**
 * Exercise 6: replication and failover. The check starts a cluster of 3 brokers of its own, creates a
 * topic with topicSettings, sends orders with producerConfig and acks, and kills the broker that leads
 * the most partitions in the middle of it. Choose the settings so that no acknowledged order is lost
 * and sending goes on while one broker is down.
 */
import type { ProducerConfig } from 'kafkajs';
// TopicSettings: { replicationFactor, configs }; Acks: 0 (none), 1 (the leader wrote it) or -1 (every in-sync replica has it).
import type { Acks, TopicSettings } from '../lib/order.js';

// TODO: one copy dies with its broker. How many copies, and how many must have a write before it counts?
export const topicSettings: TopicSettings = {
  replicationFactor: 1,
  configs: { 'min.insync.replicas': '1' },
};

/** Given to createProducer(kafka, producerConfig). */
export const producerConfig: ProducerConfig = {};

/** The acks of every send. */
// TODO: when the leader acknowledges alone, what happens to a write it had not passed on when it died?
export const acks: Acks = 1;
