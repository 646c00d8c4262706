/**
 * The admin server's settings (npm run admin), read once from ADMIN_* variables and OUTPUT_DIR.
 * They live beside the server because nothing else needs them; the settings every part reads stay in
 * shared/config.ts.
 */
import { isAbsolute, resolve } from 'node:path';
import { parseBrokerList, parseUser, type Environment } from '../../shared/config.js';
import { UsageError } from '../../shared/errors.js';
import { projectRoot } from '../../shared/paths.js';

export interface AdminSettings {
  readonly host: string;
  readonly port: number;
  /** Bearer token required on every API route; mandatory when listening beyond loopback. */
  readonly token: string | undefined;
  /** Host names accepted in the Host header, port aside (protection against DNS rebinding). */
  readonly allowedHosts: readonly string[];
  /** Where the consumer definitions persist. */
  readonly stateFile: string;
  /** File sinks may only write inside this folder. */
  readonly outputDir: string;
  /** PostgreSQL for postgres sinks; never taken from a request. */
  readonly databaseUrl: string | undefined;
  /** Origins (scheme://host:port) HTTP sinks may post to; none by default. */
  readonly httpAllow: readonly string[];
  /** Brokers a request may name besides the configured ones. */
  readonly brokerAllow: readonly string[];
  readonly maxConsumers: number;
  /** HARNESS_USER: the topics, groups and client ids of this server's consumers start with `<user>.`. */
  readonly user: string | undefined;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  return loopbackHosts.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

function integerFrom(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new UsageError(`${name} is "${value}": use a whole number from ${min} to ${max}`);
  return number;
}

export function readAdminSettings(env: Environment = process.env): AdminSettings {
  const host = env.ADMIN_HOST || '127.0.0.1';
  const port = integerFrom('ADMIN_PORT', env.ADMIN_PORT, 8080, 0, 65_535);
  const allowedHosts = env.ADMIN_ALLOWED_HOSTS ? listOf(env.ADMIN_ALLOWED_HOSTS) : ['localhost', '127.0.0.1', '[::1]', ...(isLoopbackHost(host) ? [] : [host])];
  const httpAllow = listOf(env.ADMIN_HTTP_ALLOW).map((origin) => {
    try {
      const parsed = new URL(origin);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
      return parsed.origin;
    } catch {
      throw new UsageError(`ADMIN_HTTP_ALLOW has "${origin}", which is not an origin like http://127.0.0.1:8081`);
    }
  });
  const resolveFromRoot = (path: string): string => (isAbsolute(path) ? path : resolve(projectRoot, path));
  return Object.freeze({
    host,
    port,
    token: env.ADMIN_TOKEN || undefined,
    allowedHosts: Object.freeze(allowedHosts),
    stateFile: resolveFromRoot(env.ADMIN_STATE_FILE || '.admin/state.json'),
    outputDir: resolveFromRoot(env.OUTPUT_DIR || 'output'),
    databaseUrl: env.ADMIN_DATABASE_URL || undefined,
    httpAllow: Object.freeze(httpAllow),
    brokerAllow: Object.freeze(env.ADMIN_BROKER_ALLOW ? parseBrokerList(env.ADMIN_BROKER_ALLOW, 'ADMIN_BROKER_ALLOW') : []),
    maxConsumers: integerFrom('ADMIN_MAX_CONSUMERS', env.ADMIN_MAX_CONSUMERS, 50, 1, 10_000),
    user: parseUser(env.HARNESS_USER, 'HARNESS_USER'),
  });
}
