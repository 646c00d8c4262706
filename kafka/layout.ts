/**
 * Where a local cluster's nodes listen and keep their files. Pure functions, so the port plan and
 * the generated server.properties are unit-tested without starting a JVM.
 */
import { join } from 'node:path';
import { UsageError } from '../shared/errors.js';

export const kafkaVersion = '4.3.1';

/** A controller listens this far above its node's client port: 9092 → 19092. */
export const controllerPortOffset = 10_000;

export interface NodePlan {
  nodeId: number;
  clientPort: number;
  controllerPort: number;
  /** With --secure: a SASL_SSL listener (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN). */
  saslSslPort?: number | undefined;
  /** With --secure: an SSL listener that requires a client certificate. */
  sslPort?: number | undefined;
}

export interface ClusterPlan {
  nodes: readonly NodePlan[];
  /**
   * `--advertise HOST`: the name other machines reach this one by (a shared cluster for a room). Set,
   * the client listeners bind every interface and tell clients to come back to HOST; controllers stay
   * on `host`, since all nodes run on this machine. Unset, everything is on `host` (127.0.0.1).
   */
  advertisedHost?: string | undefined;
  host: string;
}

/**
 * Node i (1-based) gets client port basePort + i - 1 and its controller port 10,000 above that.
 * `secure` adds two listeners per node right after the plaintext ports: the SASL_SSL ports, then
 * the SSL ones. One node from 9092: SASL_SSL 9093, SSL 9094; three: SASL_SSL 9095-9097, SSL 9098-9100.
 */
export interface PlanOptions {
  /** Where the nodes listen (and advertise, unless advertisedHost is set); default 127.0.0.1. */
  host?: string;
  secure?: boolean;
  advertisedHost?: string | undefined;
}

export function planCluster(nodeCount: number, basePort: number, options: PlanOptions = {}): ClusterPlan {
  const { host = '127.0.0.1', secure = false, advertisedHost } = options;
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 9) {
    throw new UsageError(`--nodes must be between 1 and 9 (got ${nodeCount})`);
  }
  const highest = basePort + nodeCount - 1 + controllerPortOffset;
  if (!Number.isInteger(basePort) || basePort < 1024 || highest > 65_535) {
    throw new UsageError(
      `--port ${basePort} leaves no room for ${nodeCount} client and controller ports: pick 1024-${65_535 - controllerPortOffset - nodeCount + 1}`,
    );
  }
  const nodes = Array.from({ length: nodeCount }, (_, index) => ({
    nodeId: index + 1,
    clientPort: basePort + index,
    controllerPort: basePort + index + controllerPortOffset,
    ...(secure ? { saslSslPort: basePort + nodeCount + index, sslPort: basePort + 2 * nodeCount + index } : {}),
  }));
  return { nodes, host, ...(advertisedHost === undefined ? {} : { advertisedHost }) };
}

/** `--advertise HOST`: a name or address clients can resolve, never a URL or a host:port. */
export function parseAdvertisedHost(text: string): string {
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(text) || text === '0.0.0.0') {
    throw new UsageError(`--advertise "${text}" is not a host name or address other machines can reach (e.g. 192.168.1.10 or kafka.lan)`);
  }
  return text;
}

export function bootstrapServers(plan: ClusterPlan): string[] {
  return plan.nodes.map((node) => `${plan.host}:${node.clientPort}`);
}

export interface HomePaths {
  home: string;
  libs: string;
  /** Written last by a complete jar download: its content is the Kafka version. */
  libsMarker: string;
  state: string;
  log4jConfig: string;
}

export interface NodePaths {
  config: string;
  data: string;
  logs: string;
  serverLog: string;
  stdout: string;
  pidFile: string;
}

export function homePaths(home: string, libs = join(home, 'libs')): HomePaths {
  return {
    home,
    libs,
    libsMarker: join(libs, '.complete'),
    state: join(home, 'cluster.json'),
    log4jConfig: join(home, 'config', 'log4j2.properties'),
  };
}

export function nodePaths(home: string, nodeId: number): NodePaths {
  const logs = join(home, 'logs', `node-${nodeId}`);
  return {
    config: join(home, 'config', `node-${nodeId}.properties`),
    data: join(home, 'data', `node-${nodeId}`),
    logs,
    serverLog: join(logs, 'server.log'),
    stdout: join(logs, 'stdout.log'),
    pidFile: join(home, 'run', `node-${nodeId}.pid`),
  };
}

/**
 * server.properties for one combined broker+controller node. Static quorum voters: every node knows
 * the full quorum from its config, so formatting needs no --standalone / --initial-controllers.
 */
/** What the secure listeners need (kafka/secure-broker.ts makes it). */
export interface ListenerSecurity {
  /** PKCS12 keystore with the broker's key and certificate chain. */
  keystore: string;
  keystorePassword: string;
  /** PEM CA certificates that client certificates must be signed by. */
  truststorePem: string;
  /** PLAIN users, name → password. */
  plainUsers: Readonly<Record<string, string>>;
}

/** The extra listeners of a --secure node; inter-broker and controller traffic stays on PLAINTEXT. */
function secureListenerLines(
  node: NodePlan,
  bindHost: string,
  advertisedHost: string,
  security: ListenerSecurity | undefined,
): { listeners: string[]; advertised: string[]; lines: string[] } {
  if (node.saslSslPort === undefined || node.sslPort === undefined || security === undefined) return { listeners: [], advertised: [], lines: [] };
  const plainUsers = Object.entries(security.plainUsers)
    .map(([name, password]) => `user_${name}="${password}"`)
    .join(' ');
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return {
    listeners: [`SASL_SSL://${bindHost}:${node.saslSslPort}`, `SSL://${bindHost}:${node.sslPort}`],
    advertised: [`SASL_SSL://${advertisedHost}:${node.saslSslPort}`, `SSL://${advertisedHost}:${node.sslPort}`],
    lines: [
      `sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN`,
      `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scram}`,
      `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scram}`,
      `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
      `ssl.keystore.type=PKCS12`,
      `ssl.keystore.location=${security.keystore}`,
      `ssl.keystore.password=${security.keystorePassword}`,
      `ssl.key.password=${security.keystorePassword}`,
      `ssl.truststore.type=PEM`,
      `ssl.truststore.location=${security.truststorePem}`,
      // Only the SSL listener asks for a client certificate; SASL_SSL clients log in with a password.
      `listener.name.ssl.ssl.client.auth=required`,
    ],
  };
}

export function brokerProperties(plan: ClusterPlan, node: NodePlan, dataDir: string, security?: ListenerSecurity): string {
  const { host } = plan;
  const size = plan.nodes.length;
  const voters = plan.nodes.map((peer) => `${peer.nodeId}@${host}:${peer.controllerPort}`).join(',');
  // Internal topics can't be replicated more than there are brokers: with RF above the live broker
  // count __consumer_offsets is never created and consumer groups hang without an error.
  const internalReplication = Math.min(size, 3);
  const internalMinIsr = Math.min(size, 2);
  const advertisedHost = plan.advertisedHost ?? host;
  // Other machines can only reach a listener bound to every interface.
  const bindHost = plan.advertisedHost === undefined ? host : '0.0.0.0';
  const secure = secureListenerLines(node, bindHost, advertisedHost, security);
  const extraListeners = secure.listeners.map((listener) => `,${listener}`).join('');
  const extraAdvertised = secure.advertised.map((listener) => `,${listener}`).join('');
  const lines = [
    `# Generated by kafka-harness (npm run kafka:up); edits are overwritten on the next start.`,
    `process.roles=broker,controller`,
    `node.id=${node.nodeId}`,
    `controller.quorum.voters=${voters}`,
    `listeners=PLAINTEXT://${bindHost}:${node.clientPort},CONTROLLER://${host}:${node.controllerPort}${extraListeners}`,
    `advertised.listeners=PLAINTEXT://${advertisedHost}:${node.clientPort}${extraAdvertised}`,
    `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${secure.listeners.length > 0 ? ',SASL_SSL:SASL_SSL,SSL:SSL' : ''}`,
    `controller.listener.names=CONTROLLER`,
    `inter.broker.listener.name=PLAINTEXT`,
    `log.dirs=${dataDir}`,
    `num.partitions=1`,
    `default.replication.factor=${internalReplication}`,
    `offsets.topic.replication.factor=${internalReplication}`,
    `transaction.state.log.replication.factor=${internalReplication}`,
    `transaction.state.log.min.isr=${internalMinIsr}`,
    `share.coordinator.state.topic.replication.factor=${internalReplication}`,
    `share.coordinator.state.topic.min.isr=${internalMinIsr}`,
    // A consumer group forms at once instead of waiting 3 s for more members: tests and demos start fast.
    `group.initial.rebalance.delay.ms=0`,
    // Topics are created on purpose (npm run kafka:up, --create-topic), so a typo is an error, not a new topic.
    `auto.create.topics.enable=false`,
    ...secure.lines,
  ];
  return `${lines.join('\n')}\n`;
}

export const log4jProperties = `# Generated by kafka-harness: the broker's log goes to \${sys:kafka.logs.dir}/server.log.
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = \${sys:kafka.logs.dir}/server.log
appender.file.filePattern = \${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
# Per-request and per-partition state lines drown the rest.
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
`;
