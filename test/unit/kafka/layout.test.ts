import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootstrapServers, brokerProperties, type ClusterPlan, kafkaVersion, type NodePlan, parseAdvertisedHost, planCluster } from '../../../kafka/layout.js';
import { projectRoot } from '../../../shared/paths.js';

function properties(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((line) => line.includes('=') && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]),
  );
}

function nodeOf(plan: ClusterPlan, index: number): NodePlan {
  const node = plan.nodes[index];
  if (node === undefined) throw new Error(`the plan has ${plan.nodes.length} nodes, not ${index + 1}`);
  return node;
}

describe('planCluster', () => {
  it('puts one node on 9092 with its controller on 19092', () => {
    const plan = planCluster(1, 9092);
    expect(plan.nodes).toEqual([{ nodeId: 1, clientPort: 9092, controllerPort: 19092 }]);
    expect(bootstrapServers(plan)).toEqual(['127.0.0.1:9092']);
  });

  it('puts three nodes on 9092-9094 with controllers on their own ports', () => {
    const plan = planCluster(3, 9092);
    expect(plan.nodes.map((node) => node.clientPort)).toEqual([9092, 9093, 9094]);
    expect(plan.nodes.map((node) => node.controllerPort)).toEqual([19092, 19093, 19094]);
  });

  it('rejects node counts and ports that do not fit', () => {
    expect(() => planCluster(0, 9092)).toThrow(/--nodes must be between 1 and 9/);
    expect(() => planCluster(3, 60_000)).toThrow(/--port 60000 leaves no room/);
    expect(() => planCluster(1, 80)).toThrow(/--port 80/);
  });
});

describe('brokerProperties', () => {
  it('configures a single KRaft node with internal topics it can actually replicate', () => {
    const plan = planCluster(1, 9092);
    const props = properties(brokerProperties(plan, nodeOf(plan, 0), '/data/node-1'));
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:19092');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:19092');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:9092');
    expect(props.get('log.dirs')).toBe('/data/node-1');
    expect(props.get('offsets.topic.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.min.isr')).toBe('1');
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0');
    expect(props.get('auto.create.topics.enable')).toBe('false');
  });

  it('gives every node of three the whole quorum and replicated internal topics', () => {
    const plan = planCluster(3, 9092);
    const second = properties(brokerProperties(plan, nodeOf(plan, 1), '/data/node-2'));
    expect(second.get('node.id')).toBe('2');
    expect(second.get('controller.quorum.voters')).toBe('1@127.0.0.1:19092,2@127.0.0.1:19093,3@127.0.0.1:19094');
    expect(second.get('listeners')).toBe('PLAINTEXT://127.0.0.1:9093,CONTROLLER://127.0.0.1:19093');
    expect(second.get('offsets.topic.replication.factor')).toBe('3');
    expect(second.get('transaction.state.log.min.isr')).toBe('2');
  });
});

describe('--advertise', () => {
  it('binds the client listeners to every interface and advertises the host, keeping the controllers local', () => {
    const plan = planCluster(3, 9092, { advertisedHost: '192.168.1.10' });
    const first = properties(brokerProperties(plan, nodeOf(plan, 0), '/data/node-1'));
    expect(first.get('listeners')).toBe('PLAINTEXT://0.0.0.0:9092,CONTROLLER://127.0.0.1:19092');
    expect(first.get('advertised.listeners')).toBe('PLAINTEXT://192.168.1.10:9092');
    expect(first.get('controller.quorum.voters')).toBe('1@127.0.0.1:19092,2@127.0.0.1:19093,3@127.0.0.1:19094');
  });

  it('advertises the secure listeners under the same host', () => {
    const plan = planCluster(1, 9092, { secure: true, advertisedHost: 'kafka.lan' });
    const security = { keystore: '/k.p12', keystorePassword: 'pw', truststorePem: '/ca.pem', plainUsers: { alice: 'secret' } };
    const props = properties(brokerProperties(plan, nodeOf(plan, 0), '/data/node-1', security));
    expect(props.get('listeners')).toBe('PLAINTEXT://0.0.0.0:9092,CONTROLLER://127.0.0.1:19092,SASL_SSL://0.0.0.0:9093,SSL://0.0.0.0:9094');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://kafka.lan:9092,SASL_SSL://kafka.lan:9093,SSL://kafka.lan:9094');
  });

  it.each(['http://host', 'host:9092', '0.0.0.0', '', '-x', 'a b'])('refuses %j with the fix in words', (text) => {
    expect(() => parseAdvertisedHost(text)).toThrow(/is not a host name or address other machines can reach/);
  });

  it.each(['192.168.1.10', 'kafka.lan', 'laptop-7'])('takes %j', (text) => {
    expect(parseAdvertisedHost(text)).toBe(text);
  });
});

describe('kafkaVersion', () => {
  it('is the version kafka/pom.xml fetches the jars of', () => {
    const pom = readFileSync(join(projectRoot, 'kafka', 'pom.xml'), 'utf8');
    expect(/<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1]).toBe(kafkaVersion);
    // Both Kafka artifacts take that property, so neither can drift on its own.
    for (const artifact of ['kafka_2.13', 'kafka-tools']) {
      expect(pom).toMatch(new RegExp(`<artifactId>${artifact}</artifactId>\\s*<version>\\$\\{kafka\\.version\\}</version>`));
    }
  });
});
