/**
 * Secured clusters, end to end: the CLIs (from dist/), the admin server and kcat against one real
 * broker with SASL_SSL and client-certificate SSL listeners (kafka:up --secure's), every mistake a
 * user can make answered in one line within 10 s, and no secret in anything written.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { settings } from '../../shared/config.js';
import { createKafka } from '../../shared/kafka-client.js';
import { plaintextSecurity } from '../../shared/security.js';
import { plainLines, runCli, startCli, type CliResult } from './helpers/cli.js';
import { testLog } from './helpers/kafka.js';
import { startSecureKafka, type SecureKafka } from './helpers/secure-kafka.js';

const kcatAvailable = spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;

let kafka: SecureKafka;
/** Set once the broker is up: a failed start leaves nothing to stop. */
let stopKafka: (() => Promise<void>) | undefined;
/** Everything any process printed or served during these tests, scanned for secrets at the end. */
const written: string[] = [];

/** The variables of the test process that would steer a CLI elsewhere, removed. */
const unset = {
  KAFKA_BROKERS: undefined,
  KAFKA_BOOTSTRAP_SERVERS: undefined,
  KAFKA_SECURITY_PROTOCOL: undefined,
  KAFKA_SASL_MECHANISM: undefined,
  KAFKA_SASL_USERNAME: undefined,
  KAFKA_SASL_PASSWORD: undefined,
  KAFKA_SASL_PASSWORD_FILE: undefined,
  KAFKA_SSL_CA_FILE: undefined,
  KAFKA_SSL_CERT_FILE: undefined,
  KAFKA_SSL_KEY_FILE: undefined,
  HARNESS_USER: undefined,
};

async function cli(script: string, args: readonly string[], env: Record<string, string | undefined>): Promise<CliResult & { seconds: number }> {
  const started = performance.now();
  const result = await runCli(script, args, { env: { ...unset, LOG_LEVEL: 'debug', ...env } });
  written.push(result.stdout, result.stderr);
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/** A fresh topic, made over the plaintext listener. */
async function freshTopic(partitions = 2): Promise<string> {
  const topic = `secure-${randomUUID()}`;
  const admin = createKafka({ clientId: 'secure-test', brokers: [kafka.plaintext], log: testLog, security: plaintextSecurity }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

async function produceAndConsume(env: Record<string, string>, args: readonly string[] = []): Promise<void> {
  const topic = await freshTopic();
  const produced = await cli('producer/cli.js', [...args, '-t', topic, '-c', '300', '-q'], env);
  expect(produced.code, produced.stderr).toBe(0);
  const consumed = await cli('consumer/cli/cli.js', [...args, '-t', topic, '-G', `g-${randomUUID()}`, '-p', '1', '-e', '-o', 'beginning', '-q'], env);
  expect(consumed.code, consumed.stderr).toBe(0);
  expect(consumed.stdout.split('\n').filter((line) => line.startsWith('{'))).toHaveLength(300);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  kafka = await startSecureKafka(testLog);
  stopKafka = () => kafka.stop();
});

afterAll(async () => {
  await stopKafka?.();
});

describe('a secured cluster', () => {
  it('takes produce and consume over SASL_SSL with SCRAM-SHA-512 from the environment', async () => {
    await produceAndConsume(kafka.saslSslEnv);
  });

  it('takes produce and consume over SASL_SSL with PLAIN from a --command-config file, to the children and worker threads too', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'secure-config-'));
    const file = join(folder, 'client.properties');
    await writeFile(
      file,
      [
        'security.protocol=SASL_SSL',
        'sasl.mechanism=PLAIN',
        `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\`,
        `    username="${kafka.user}" password="${kafka.password}";`,
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${kafka.files.caPem}`,
      ].join('\n'),
      { mode: 0o600 },
    );
    await produceAndConsume({ KAFKA_BROKERS: kafka.saslSsl }, ['--command-config', file]);
  });

  it('takes produce and consume over SSL with a client certificate', async () => {
    await produceAndConsume(kafka.sslEnv);
  });

  it('shows lag over SASL_SSL', async () => {
    const topic = await freshTopic();
    const group = `g-${randomUUID()}`;
    expect((await cli('producer/cli.js', ['-t', topic, '-c', '50', '-q'], kafka.saslSslEnv)).code).toBe(0);
    expect(
      (await cli('consumer/cli/cli.js', ['-t', topic, '-G', group, '-p', '1', '-e', '-o', 'beginning', '-q', '--sink', 'none'], kafka.saslSslEnv)).code,
    ).toBe(0);
    const lag = await cli('consumer/cli/lag-cli.js', ['-G', group, '-t', topic, '--json'], kafka.saslSslEnv);
    expect(lag.code, lag.stderr).toBe(0);
    const rows = (JSON.parse(lag.stdout) as { rows: { lag: number | string }[] }).rows;
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => Number(row.lag) === 0)).toBe(true);
  });

  it('runs the admin server over SASL_SSL; its responses and state file hold no secret', async () => {
    const topic = await freshTopic();
    expect((await cli('producer/cli.js', ['-t', topic, '-c', '40', '-q'], kafka.saslSslEnv)).code).toBe(0);
    const folder = await mkdtemp(join(tmpdir(), 'secure-admin-'));
    const port = await freePort();
    const stateFile = join(folder, 'state.json');
    const admin = startCli('consumer/admin/cli.js', [], {
      env: { ...unset, ...kafka.saslSslEnv, LOG_LEVEL: 'debug', ADMIN_PORT: String(port), ADMIN_STATE_FILE: stateFile, OUTPUT_DIR: folder },
    });
    const base = `http://127.0.0.1:${port}`;
    const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
      const response = await fetch(`${base}${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      const text = await response.text();
      written.push(text);
      return { status: response.status, text };
    };
    try {
      await vi.waitFor(async () => expect((await call('GET', '/readyz')).status).toBe(200), { timeout: 30_000, interval: 250 });
      const group = `g-${randomUUID()}`;
      const created = await call('POST', '/api/consumers', { topic, group, sinks: [{ type: 'file', path: 'out.jsonl' }] });
      expect(created.status, created.text).toBe(201);
      await vi.waitFor(async () => expect((await readFile(join(folder, 'out.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean)).toHaveLength(40), {
        timeout: 30_000,
        interval: 250,
      });
      await call('GET', '/api/consumers');
      await call('GET', `/api/monitor/consumer-group-lag?group_id=${group}&topic=${topic}`);
      await call('GET', '/api/runtime');
      await call('GET', '/metrics');
      await vi.waitFor(async () => expect(await readFile(stateFile, 'utf8')).toContain(group), { timeout: 10_000, interval: 100 });
      written.push(await readFile(stateFile, 'utf8'));
    } finally {
      admin.child.kill('SIGTERM');
      const result = await admin.exited;
      written.push(result.stdout, result.stderr);
    }
  });

  // PLAIN: the Debian kcat's librdkafka (2.0.2) fails SCRAM logins to this broker that KafkaJS passes; not yet understood.
  it.runIf(kcatAvailable || settings().ci)('lets kcat read over SASL_SSL what the harness wrote', async () => {
    const topic = await freshTopic(1);
    expect((await cli('producer/cli.js', ['-t', topic, '-c', '25', '-q'], kafka.saslSslEnv)).code).toBe(0);
    const kcat = spawnSync(
      'kcat',
      [
        '-b',
        kafka.saslSsl,
        '-X',
        'security.protocol=SASL_SSL',
        '-X',
        'sasl.mechanisms=PLAIN',
        '-X',
        `sasl.username=${kafka.user}`,
        '-X',
        `sasl.password=${kafka.password}`,
        '-X',
        `ssl.ca.location=${kafka.files.caPem}`,
        '-t',
        topic,
        '-C',
        '-o',
        'beginning',
        '-e',
        '-q',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(kcat.status, kcat.stderr).toBe(0);
    const orders = kcat.stdout.split('\n').filter(Boolean);
    expect(orders).toHaveLength(25);
    expect(JSON.parse(orders[0] ?? '{}')).toHaveProperty('order');
  });
});

describe('a mistake with a secured cluster', () => {
  const produceOnce = (env: Record<string, string>) => cli('producer/cli.js', ['-c', '1', '--workers', '0'], env);

  it.each([
    {
      what: 'a wrong password',
      env: () => ({ ...kafka.saslSslEnv, KAFKA_SASL_PASSWORD_FILE: '', KAFKA_SASL_PASSWORD: 'not-the-password' }),
      says: () => `authentication failed for user alice with SCRAM-SHA-512 at ${kafka.saslSsl}`,
    },
    {
      what: 'TLS to the plaintext port',
      env: () => ({ ...kafka.saslSslEnv, KAFKA_BROKERS: kafka.plaintext }),
      says: () => `no TLS handshake with ${kafka.plaintext}: is it a plaintext listener?`,
    },
    {
      what: 'a plaintext client on the TLS port',
      env: () => ({ KAFKA_BROKERS: kafka.saslSsl }),
      says: () => `the broker at ${kafka.saslSsl} closed the connection before answering: if it is a TLS or SASL listener, set KAFKA_SECURITY_PROTOCOL`,
    },
    {
      what: 'a certificate signed by a CA the client does not trust',
      env: () => ({ ...kafka.saslSslEnv, KAFKA_SSL_CA_FILE: '' }),
      says: () => `the certificate of the broker at ${kafka.saslSsl} is not signed by a CA this client trusts`,
    },
    {
      what: 'a host name the certificate does not list',
      env: () => ({ ...kafka.saslSslEnv, KAFKA_BROKERS: kafka.saslSsl.replace('127.0.0.1', 'localhost') }),
      says: () => `is not for "localhost"`,
    },
    {
      what: 'no client certificate for the SSL listener',
      env: () => ({ ...kafka.sslEnv, KAFKA_SSL_CERT_FILE: '', KAFKA_SSL_KEY_FILE: '' }),
      says: () => `the broker at ${kafka.ssl} requires a client certificate`,
    },
  ])('$what: one line, exit 1, within 10 s', async ({ env, says }) => {
    const result = await produceOnce(env());
    expect(result.code, result.stderr).toBe(1);
    const lines = plainLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(says());
    expect(result.seconds).toBeLessThan(10);
  });

  it('a missing file: a usage error (exit 2) that names the variable and the path', async () => {
    const missing = join(kafka.home, 'secure', 'no-such.pem');
    const result = await produceOnce({ ...kafka.saslSslEnv, KAFKA_SSL_CA_FILE: missing });
    expect(result.code).toBe(2);
    expect(plainLines(result.stderr)[0]).toContain(`KAFKA_SSL_CA_FILE: cannot read ${missing} (no such file)`);
  });
});

describe('doctor on a secured local broker', () => {
  it('logs in as kafka:up --secure says, and names the fix when the login fails', async () => {
    const healthy = await cli('kafka/doctor.js', [], { KAFKA_HARNESS_HOME: kafka.home });
    expect(plainLines(healthy.stdout).join('\n')).toMatch(/✓ Secure listener +SASL_SSL at 127\.0\.0\.1:\d+: alice logs in with SCRAM-SHA-512/);

    // A password file that no longer matches the broker's users: doctor must see the refused login.
    const original = await readFile(kafka.files.passwordFile, 'utf8');
    try {
      await writeFile(kafka.files.passwordFile, 'not-the-password\n', { mode: 0o600 });
      const broken = await cli('kafka/doctor.js', [], { KAFKA_HARNESS_HOME: kafka.home });
      const lines = plainLines(broken.stdout).join('\n');
      expect(lines).toMatch(/✗ Secure listener +SASL_SSL at 127\.0\.0\.1:\d+: authentication failed for user alice with SCRAM-SHA-512/);
      expect(lines).toMatch(/fix: .*npm run kafka:down -- --wipe && npm run kafka:up -- --secure/);
      expect(broken.code).toBe(1);
    } finally {
      await writeFile(kafka.files.passwordFile, original, { mode: 0o600 });
    }
  });
});

describe('the secrets', () => {
  it('appear in nothing printed, served or stored during these tests', () => {
    // Runs last in the file: every process above has written its lines by now.
    expect(written.length).toBeGreaterThan(20);
    const leaks = written.flatMap((text) => text.split('\n')).filter((line) => line.includes(kafka.password));
    expect(leaks).toEqual([]);
    const keyBody = /-----BEGIN PRIVATE KEY-----\n([^\n]+)/;
    expect(written.some((text) => keyBody.test(text))).toBe(false);
  });
});
