import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../shared/errors.js';
import { parseJavaProperties } from '../../../shared/java-properties.js';
import { explainSecurityFailure } from '../../../shared/kafka-client.js';
import {
  kafkaJsSecurity,
  parseJaasConfig,
  Secret,
  securityFromCommandConfig,
  securityFromEnvironment,
  type SecuritySettings,
} from '../../../shared/security.js';

let folder: string;
const password = 'pa55-word';
// Any PEM-shaped certificate will do for parsing; the TLS context is not built in these tests.
const certificate = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const privateKey = '-----BEGIN PRIVATE KEY-----\nMIIC\n-----END PRIVATE KEY-----\n';

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'security-test-'));
  await writeFile(join(folder, 'ca.pem'), certificate);
  await writeFile(join(folder, 'client.pem'), certificate);
  await writeFile(join(folder, 'client.key'), privateKey);
  await writeFile(join(folder, 'keystore.pem'), `${privateKey}${certificate}`);
  await writeFile(join(folder, 'alice.password'), `${password}\n`);
  await writeFile(join(folder, 'not.pem'), 'hello');
});

describe('Secret', () => {
  it('shows [redacted] in JSON, template strings, util.inspect and pino, and the value only through reveal()', () => {
    const secret = new Secret(password);
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(`${secret}`).toBe('[redacted]');
    expect(inspect({ secret })).not.toContain(password);
    const lines: string[] = [];
    pino({}, { write: (line: string) => lines.push(line) }).info({ secret, nested: { secret } }, 'logged');
    expect(lines.join('')).not.toContain(password);
    expect(secret.reveal()).toBe(password);
  });
});

describe('securityFromEnvironment', () => {
  it('is PLAINTEXT with nothing set', () => {
    expect(securityFromEnvironment({}, folder)).toMatchObject({ protocol: 'PLAINTEXT', sasl: undefined, tls: undefined });
  });

  it('reads SASL_SSL with SCRAM-SHA-512, a password file (one trailing newline dropped) and a CA file relative to the working directory', () => {
    const security = securityFromEnvironment(
      {
        KAFKA_SECURITY_PROTOCOL: 'sasl_ssl',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'alice',
        KAFKA_SASL_PASSWORD_FILE: 'alice.password',
        KAFKA_SSL_CA_FILE: 'ca.pem',
      },
      folder,
    );
    expect(security.protocol).toBe('SASL_SSL');
    expect(security.sasl?.mechanism).toBe('SCRAM-SHA-512');
    expect(security.sasl?.password.reveal()).toBe(password);
    expect(security.tls).toMatchObject({ caFile: join(folder, 'ca.pem'), rejectUnauthorized: true, checkHostname: true });
    expect(JSON.stringify(security)).not.toContain(password);
  });

  it.each([
    [{ KAFKA_SECURITY_PROTOCOL: 'TLS' }, /KAFKA_SECURITY_PROTOCOL is "TLS": use one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'p' }, /SASL_SSL needs KAFKA_SASL_MECHANISM/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'GSSAPI' }, /KAFKA_SASL_MECHANISM is "GSSAPI"/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_PASSWORD: 'p' }, /needs KAFKA_SASL_USERNAME/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'a' }, /needs a password for a/],
    [{ KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'a' }, /KAFKA_SECURITY_PROTOCOL is PLAINTEXT: use SASL_PLAINTEXT or SASL_SSL/],
    [{ KAFKA_SSL_CA_FILE: 'ca.pem' }, /KAFKA_SECURITY_PROTOCOL is PLAINTEXT: use SSL or SASL_SSL/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: 'client.pem' }, /needs both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: 'missing.pem' }, /KAFKA_SSL_CA_FILE: cannot read .*missing\.pem \(no such file\)/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: 'not.pem' }, /KAFKA_SSL_CA_FILE: .*not\.pem holds no PEM certificate/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_REJECT_UNAUTHORIZED: 'maybe' }, /KAFKA_SSL_REJECT_UNAUTHORIZED is "maybe": use true or false/],
  ])('refuses %j with a usage error that says what to set', (env, message) => {
    expect(() => securityFromEnvironment(env, folder)).toThrow(UsageError);
    expect(() => securityFromEnvironment(env, folder)).toThrow(message);
  });

  it('never quotes a password in a message', () => {
    const env = { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'alice', KAFKA_SASL_PASSWORD: password };
    expect(() => securityFromEnvironment(env, folder)).toThrow(UsageError);
    try {
      securityFromEnvironment(env, folder);
    } catch (error) {
      expect(String(error)).not.toContain(password);
    }
  });
});

describe('parseJavaProperties', () => {
  it('reads =, : and space separators, comments, continued lines and escapes', () => {
    const entries = parseJavaProperties('# comment\n! also\na=1\nb : two words\nc three\nd=one \\\n   two\ne=tab\\there\\u0041\n');
    expect(entries.map(({ key, value }) => [key, value])).toEqual([
      ['a', '1'],
      ['b', 'two words'],
      ['c', 'three'],
      ['d', 'one two'],
      ['e', 'tab\thereA'],
    ]);
    expect(entries[3]?.line).toBe(6);
  });
});

describe('parseJaasConfig', () => {
  it('reads the login module and its quoted options', () => {
    const parsed = parseJaasConfig('org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="p\\"w;x";', 'x');
    expect(parsed.loginModule).toBe('org.apache.kafka.common.security.scram.ScramLoginModule');
    expect(Object.fromEntries(parsed.options)).toEqual({ username: 'alice', password: 'p"w;x' });
  });

  it('refuses garbage without quoting it', () => {
    expect(() => parseJaasConfig(`username="alice" password="${password}"`, 'sasl.jaas.config')).toThrow(/sasl.jaas.config is not/);
    try {
      parseJaasConfig(`username="alice" password="${password}"`, 'sasl.jaas.config');
    } catch (error) {
      expect(String(error)).not.toContain(password);
    }
  });
});

describe('securityFromCommandConfig', () => {
  async function configFile(name: string, lines: readonly string[]): Promise<string> {
    const path = join(folder, name);
    await writeFile(path, `${lines.join('\n')}\n`);
    return path;
  }

  it('reads what Kafka tools take: SASL_SSL, SCRAM in the JAAS line, a PEM truststore relative to the file', async () => {
    const path = await configFile('scram.properties', [
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-256',
      `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${password}";`,
      'ssl.truststore.type=PEM',
      'ssl.truststore.location=ca.pem',
    ]);
    const security = securityFromCommandConfig(path, '/');
    expect(security).toMatchObject({ protocol: 'SASL_SSL', origin: `--command-config ${path}` });
    expect(security.sasl).toMatchObject({ mechanism: 'SCRAM-SHA-256', username: 'alice' });
    expect(security.sasl?.password.reveal()).toBe(password);
    expect(security.tls?.caFile).toBe(join(folder, 'ca.pem'));
  });

  it('takes a client certificate from a PEM keystore holding the key and the chain', async () => {
    const path = await configFile('ssl.properties', ['security.protocol=SSL', 'ssl.keystore.type=PEM', 'ssl.keystore.location=keystore.pem']);
    const security = securityFromCommandConfig(path, '/');
    expect(security.tls?.cert).toContain('BEGIN CERTIFICATE');
    expect(security.tls?.key?.reveal()).toContain('BEGIN PRIVATE KEY');
    expect(security.tls?.cert).not.toContain('PRIVATE KEY');
  });

  it.each([
    [['bootstrap.servers=x:9092'], /line 1: unknown key "bootstrap.servers"/],
    [['ssl.truststore.type=JKS'], /ssl.truststore.type .* is JKS: only PEM files/],
    [
      [
        'security.protocol=SASL_SSL',
        'sasl.mechanism=PLAIN',
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="b";',
      ],
      /uses ScramLoginModule, which does not do sasl.mechanism=PLAIN/,
    ],
    [
      ['security.protocol=SASL_SSL', 'sasl.mechanism=PLAIN', 'sasl.jaas.config=com.example.Login required username="a" password="b";'],
      /names com.example.Login/,
    ],
  ])('refuses %j by name', async (lines, message) => {
    const path = await configFile('bad.properties', lines);
    expect(() => securityFromCommandConfig(path, '/')).toThrow(UsageError);
    expect(() => securityFromCommandConfig(path, '/')).toThrow(message);
  });
});

describe('kafkaJsSecurity', () => {
  it('gives KafkaJS the SASL mechanism in its spelling, with a password that no serialisation shows', () => {
    const security: SecuritySettings = {
      protocol: 'SASL_PLAINTEXT',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: new Secret(password) },
      tls: undefined,
      origin: 'test',
    };
    const { sasl, ssl } = kafkaJsSecurity(security);
    expect(ssl).toBeUndefined();
    expect(sasl).toMatchObject({ mechanism: 'scram-sha-512', username: 'alice' });
    expect((sasl as { password: string }).password).toBe(password);
    expect(JSON.stringify(sasl)).not.toContain(password);
    expect(inspect(sasl)).not.toContain(password);
  });
});

describe('explainSecurityFailure', () => {
  const scram: SecuritySettings = {
    protocol: 'SASL_SSL',
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: new Secret(password) },
    tls: {
      ca: undefined,
      caFile: undefined,
      cert: undefined,
      certFile: undefined,
      key: undefined,
      keyFile: undefined,
      keyPassphrase: undefined,
      rejectUnauthorized: true,
      checkHostname: true,
    },
    origin: 'the environment',
  };
  const kafkaJsError = (name: string, message: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(message), { name, ...fields });

  it('names the user, the mechanism and the broker of a refused login', () => {
    const error = kafkaJsError('KafkaJSSASLAuthenticationError', 'SASL SCRAM SHA512 authentication failed: Authentication failed');
    expect(explainSecurityFailure(error, ['127.0.0.1:9093'], scram)?.message).toMatch(
      /^authentication failed for user alice with SCRAM-SHA-512 at 127.0.0.1:9093: check KAFKA_SASL_USERNAME/,
    );
  });

  it.each([
    ['SELF_SIGNED_CERT_IN_CHAIN', /not signed by a CA this client trusts/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', /is not for "localhost"/],
    ['ECONNRESET', /no TLS handshake with localhost:9092: is it a plaintext listener/],
  ])('explains a TLS failure with code %s', (code, message) => {
    const error = kafkaJsError('KafkaJSNumberOfRetriesExceeded', 'x', {
      originalError: kafkaJsError('KafkaJSConnectionError', 'Connection error', { code, broker: 'localhost:9092' }),
    });
    expect(explainSecurityFailure(error, ['localhost:9092'], scram)?.message).toMatch(message);
  });

  it('leaves a refused connection to the "no broker answers" message', () => {
    const error = kafkaJsError('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED', { code: 'ECONNREFUSED' });
    expect(explainSecurityFailure(error, ['127.0.0.1:9092'], { ...scram, protocol: 'PLAINTEXT', sasl: undefined, tls: undefined })).toBeUndefined();
  });
});
