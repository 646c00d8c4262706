import type { Logger } from '../../shared/logger.js';

export interface StartKafkaOptions {
  /** Combined broker+controller nodes, 1 to 9; default 1. Three show replication and failover. */
  nodes?: number;
  /**
   * Folder of the Kafka jars (about 56 MB, fetched once and checked against kafka/jars.lock.json);
   * default KAFKA_HARNESS_JARS, else `<XDG_CACHE_HOME or ~/.cache>/kafka-harness/<Kafka version>/libs`.
   */
  jarsDir?: string;
  /** The Java to run Kafka with; default JAVA_HOME, else `java` on PATH. Java 17+. */
  javaHome?: string;
  /** JVM heap flags per node; default KAFKA_HEAP_OPTS, else "-Xms512m -Xmx512m". */
  heapOpts?: string;
  /** How long to wait for every node to answer, in ms; default 120,000 (the first run also downloads the jars). */
  timeoutMs?: number;
  /** Where the harness logs (pino); default stderr at LOG_LEVEL (info). */
  log?: Logger;
}

/** A running throwaway cluster. */
export interface KafkaForTests {
  /** Bootstrap addresses, `127.0.0.1:<port>` for each node. */
  readonly brokers: string[];
  /** The temporary folder with the cluster's configs, data and logs (`logs/node-N/server.log`); stop() deletes it. */
  readonly home: string;
  /**
   * Creates a topic and waits until every partition has a leader. Replication factor: the node
   * count, at most 3. Creating a topic that exists with the same partition count does nothing.
   */
  createTopic(name: string, partitions?: number): Promise<void>;
  /** Stops every node and deletes the temporary folder. Idempotent; the other methods fail after it. */
  stop(): Promise<void>;
}
