/**
 * One throwaway secured broker for a test file: a temporary home, the project's jars, free ports
 * away from the ones the project uses, and `kafka:up --secure`'s listeners (plaintext, SASL_SSL,
 * SSL with a client certificate). Its certificate names 127.0.0.1 only, so `localhost` is a host
 * name mismatch.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster } from '../../../kafka/local-cluster.js';
import { securePaths, secureUser, type SecurePaths } from '../../../kafka/secure-broker.js';
import { pickBasePort } from '../../../kafka/testing/free-ports.js';
import { settings } from '../../../shared/config.js';
import { createKafka } from '../../../shared/kafka-client.js';
import type { Logger } from '../../../shared/logger.js';
import { plaintextSecurity } from '../../../shared/security.js';

export interface SecureKafka {
  home: string;
  plaintext: string;
  saslSsl: string;
  ssl: string;
  files: SecurePaths;
  user: string;
  /** alice's password, read from its file: what no log line may contain. */
  password: string;
  /** The variables a client exports for the SASL_SSL listener with SCRAM-SHA-512. */
  saslSslEnv: Record<string, string>;
  /** The variables for the SSL listener with the client certificate. */
  sslEnv: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSecureKafka(log: Logger): Promise<SecureKafka> {
  const home = await mkdtemp(join(tmpdir(), 'harness-secure-'));
  const projectLibs = join(settings().kafkaHome, 'libs');
  if (!existsSync(projectLibs)) throw new Error(`${projectLibs} is missing: run npm run kafka:fetch once`);
  await mkdir(home, { recursive: true });
  await symlink(projectLibs, join(home, 'libs'));
  const cluster = new LocalCluster({ home, log, javaHome: settings().javaHome, heapOpts: '-Xms256m -Xmx512m' });
  // Three listeners on one node: the ports of a 3-node plan cover them and the controller. From
  // 24000-28999, so the controller lands on 34000-38999.
  const basePort = await pickBasePort({ nodeCount: 3, host: '127.0.0.1', attempts: 50, range: { low: 24_000, high: 29_000 } });
  const result = await cluster.up({ nodes: 1, basePort, timeoutMs: 120_000, secure: true, certificateHosts: ['127.0.0.1'] });
  const node = result.state.nodes[0];
  if (node?.saslSslPort === undefined || node.sslPort === undefined) throw new Error('the secure listeners were not planned');
  // As kafka:up does: asking for a group coordinator makes the broker create __consumer_offsets now,
  // before a consumer's first offset reset meets a coordinator still being elected.
  const admin = createKafka({ clientId: 'secure-warm-up', brokers: [`127.0.0.1:${node.clientPort}`], log, security: plaintextSecurity }).admin();
  await admin.connect();
  try {
    await admin.describeGroups(['secure-warm-up']);
  } finally {
    await admin.disconnect();
  }
  const files = securePaths(home);
  const password = (await readFile(files.passwordFile, 'utf8')).trim();
  const saslSsl = `127.0.0.1:${node.saslSslPort}`;
  const ssl = `127.0.0.1:${node.sslPort}`;
  return {
    home,
    plaintext: `127.0.0.1:${node.clientPort}`,
    saslSsl,
    ssl,
    files,
    user: secureUser,
    password,
    saslSslEnv: {
      KAFKA_BROKERS: saslSsl,
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: secureUser,
      KAFKA_SASL_PASSWORD_FILE: files.passwordFile,
      KAFKA_SSL_CA_FILE: files.caPem,
    },
    sslEnv: {
      KAFKA_BROKERS: ssl,
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SSL_CA_FILE: files.caPem,
      KAFKA_SSL_CERT_FILE: files.clientCert,
      KAFKA_SSL_KEY_FILE: files.clientKey,
    },
    async stop() {
      await cluster.down({ wipe: true });
      await rm(home, { recursive: true, force: true });
    },
  };
}
