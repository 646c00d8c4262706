import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kafkaVersion } from '../../kafka/layout.js';
import { projectRoot } from '../../shared/paths.js';

// No Docker engine here, so the file is checked for what `docker compose up -d` relies on.
interface Service {
  image?: string;
  ports?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  healthcheck?: { test?: string[] | string };
  depends_on?: Record<string, { condition?: string }>;
  entrypoint?: string[];
  command?: string[];
  restart?: string;
  profiles?: string[];
  build?: string | { context?: string };
}
const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
function service(name: string): Service {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}
const kafka = service('kafka');
const init = service('kafka-init');

describe('docker-compose.yml', () => {
  it(`pins apache/kafka:${kafkaVersion} (the version the local broker runs) everywhere, never latest`, () => {
    // The admin profile's services run other images, checked below.
    for (const service of Object.values(compose.services).filter((each) => !each.profiles?.includes('admin'))) {
      expect(service.image).toBe(`apache/kafka:${kafkaVersion}`);
    }
  });

  it('runs one KRaft node, broker and controller in one', () => {
    expect(kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(kafka.environment?.KAFKA_NODE_ID).toBe(1);
    expect(String(kafka.environment?.KAFKA_CONTROLLER_QUORUM_VOTERS)).toMatch(/^1@kafka:\d+$/);
    expect(kafka.environment?.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe(1);
    expect(kafka.environment?.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
  });

  it('publishes 9092 and advertises it as localhost', () => {
    expect(kafka.ports).toContain('127.0.0.1:9092:9092');
    expect(String(kafka.environment?.KAFKA_ADVERTISED_LISTENERS)).toMatch(/\/\/localhost:9092(,|$)/);
  });

  it('has a healthcheck and keeps data in a named volume', () => {
    // depends_on: service_healthy waits on this; it must ask the broker itself, not only check the process.
    expect(String(kafka.healthcheck?.test)).toMatch(/kafka-broker-api-versions\.sh --bootstrap-server localhost:9092/);
    const [volume] = kafka.volumes ?? [];
    const name = volume?.split(':')[0] ?? '';
    expect(compose.volumes).toHaveProperty(name);
  });

  it('creates test-topic with 6 partitions once the broker is healthy, then exits', () => {
    expect(init.depends_on?.kafka?.condition).toBe('service_healthy');
    expect(init.restart).toBe('no');
    const args = [...(init.entrypoint ?? []), ...(init.command ?? [])];
    expect(args.join(' ')).toMatch(/kafka-topics\.sh .*--create --if-not-exists --topic test-topic --partitions 6/);
  });
});

describe('docker-compose.yml, profile admin', () => {
  const admin = service('admin');
  const postgres = service('postgres');

  it('keeps both services out of a plain `docker compose up`', () => {
    expect(admin.profiles).toEqual(['admin']);
    expect(postgres.profiles).toEqual(['admin']);
  });

  it('builds the admin from the Dockerfile and starts it once Kafka and PostgreSQL are healthy', () => {
    expect(admin.build).toBe('.');
    expect(admin.depends_on?.kafka?.condition).toBe('service_healthy');
    expect(admin.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(String(postgres.healthcheck?.test)).toMatch(/pg_isready/);
  });

  it('talks to Kafka on the Compose network and to its PostgreSQL, with the token from the environment', () => {
    expect(admin.environment?.KAFKA_BROKERS).toBe('kafka:29092');
    expect(String(kafka.environment?.KAFKA_ADVERTISED_LISTENERS)).toMatch(/DOCKER:\/\/kafka:29092/);
    expect(admin.environment?.ADMIN_HOST).toBe('0.0.0.0');
    // Never a token written in the file: the server refuses 0.0.0.0 without one, so it must come from outside.
    expect(admin.environment?.ADMIN_TOKEN).toBe(`\${ADMIN_TOKEN:-}`);
    expect(String(admin.environment?.ADMIN_DATABASE_URL)).toMatch(/^postgresql:\/\/harness:.*@postgres:5432\/harness$/);
  });

  it('publishes the admin on loopback only and PostgreSQL not at all', () => {
    expect(admin.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(postgres.ports).toBeUndefined();
  });

  it('pins PostgreSQL by version and keeps state in named volumes', () => {
    expect(postgres.image).toMatch(/^postgres:\d+\.\d+(-[a-z]+)?$/);
    for (const each of [admin, postgres]) {
      const [volume] = each.volumes ?? [];
      expect(compose.volumes).toHaveProperty(volume?.split(':')[0] ?? '');
    }
  });
});

describe('docker-compose.yml, profile secure', () => {
  const certs = service('kafka-secure-certs');
  const secure = service('kafka-secure');
  const users = service('kafka-secure-init');

  it('keeps the secured broker out of a plain `docker compose up`', () => {
    for (const each of [certs, secure, users]) expect(each.profiles).toEqual(['secure']);
  });

  it('publishes SASL_SSL on loopback 9093 with SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN', () => {
    expect(secure.ports).toEqual(['127.0.0.1:9093:9093']);
    expect(String(secure.environment?.KAFKA_ADVERTISED_LISTENERS)).toMatch(/SASL_SSL:\/\/localhost:9093/);
    expect(String(secure.environment?.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP)).toMatch(/SASL_SSL:SASL_SSL/);
    expect(secure.environment?.KAFKA_SASL_ENABLED_MECHANISMS).toBe('SCRAM-SHA-512,SCRAM-SHA-256,PLAIN');
  });

  it('writes no secret into the file: passwords come from the generated file through the FileConfigProvider', () => {
    for (const [name, value] of Object.entries(secure.environment ?? {})) {
      if (/PASSWORD|JAAS/.test(name) && /password|user_/.test(`${name} ${value}`.toLowerCase())) {
        expect(String(value)).toMatch(/\$\$\{file:\/secure\/broker\.properties:[a-z.]+\}|required;$/);
      }
    }
  });

  it('makes the certificates first, then the SCRAM users once the broker is healthy', () => {
    expect(secure.depends_on?.['kafka-secure-certs']?.condition).toBe('service_completed_successfully');
    expect(users.depends_on?.['kafka-secure']?.condition).toBe('service_healthy');
    expect((users.command ?? []).join(' ')).toMatch(/kafka-configs\.sh .*--entity-name alice .*SCRAM-SHA-512=\[password=/s);
    expect((certs.command ?? []).join(' ')).toMatch(/keytool .*-gencert/s);
  });
});
