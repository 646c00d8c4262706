/**
 * Turns a request's consumer definition into one the server will run, enforcing the safe defaults:
 * file sinks stay inside OUTPUT_DIR, HTTP sinks post only to allowed origins, PostgreSQL comes only
 * from ADMIN_DATABASE_URL, and brokers other than the configured ones must be allowed. The same
 * checks run again before every start, since the settings may have changed since a definition was
 * saved.
 */
import { randomUUID } from 'node:crypto';
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { AdminSettings } from './settings.js';
import { userScoped } from '../../shared/names.js';
import { isOriginAllowed } from '../engine/sinks/http-sink.js';
import { badRequest } from './problem.js';
import type { ConsumerInput, SinkDefinition, StoredConsumer } from './schemas.js';

export interface DefinitionContext {
  admin: AdminSettings;
  /** The brokers the server was started with (KAFKA_BROKERS). */
  brokers: readonly string[];
}

const leavesOutputDir = (path: string) => badRequest(`file sink path "${path}" leaves OUTPUT_DIR; give a path inside it, e.g. orders/consumer-1.jsonl`);

/** Whether `path` (absolute) is strictly inside `folder` (absolute). */
function isInside(folder: string, path: string): boolean {
  const inside = relative(folder, path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside);
}

/** The absolute path of a file sink, or a 400 when its text would leave OUTPUT_DIR. Symlinks are not followed: see checkSinkPath. */
export function resolveSinkPath(outputDir: string, path: string): string {
  const absolute = resolve(outputDir, path);
  if (isAbsolute(path) || path.includes('\0') || !isInside(outputDir, absolute)) throw leavesOutputDir(path);
  return absolute;
}

/**
 * Where `path` really leads: the deepest part of it that exists, with its symlinks resolved, followed
 * by the parts still to be created. Undefined when a part is a symlink to nothing, since writing
 * through it would create its target, wherever that is.
 */
async function realPathOf(path: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (let current = path; ; current = dirname(current)) {
    try {
      return join(await realpath(current), ...missing);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      const present = await lstat(current).then(
        () => true,
        () => false,
      );
      if (present) return undefined;
      if (dirname(current) === current) throw error;
      missing.unshift(basename(current));
    }
  }
}

/**
 * The absolute path of a file sink, or a 400 when it would leave OUTPUT_DIR, by its text or through
 * a symlink inside OUTPUT_DIR (OUTPUT_DIR itself may be a symlink).
 */
export async function checkSinkPath(outputDir: string, path: string): Promise<string> {
  const absolute = resolveSinkPath(outputDir, path);
  const [realOutputDir, realTarget] = await Promise.all([realPathOf(outputDir), realPathOf(absolute)]);
  if (realOutputDir === undefined || realTarget === undefined || !isInside(realOutputDir, realTarget)) throw leavesOutputDir(path);
  return absolute;
}

async function checkSink(sink: SinkDefinition, context: DefinitionContext): Promise<void> {
  switch (sink.type) {
    case 'file':
      await checkSinkPath(context.admin.outputDir, sink.path);
      return;
    case 'postgres':
      if (!context.admin.databaseUrl) throw badRequest('postgres sinks need the server started with ADMIN_DATABASE_URL');
      return;
    case 'http': {
      const url = new URL(sink.url);
      // The definition is echoed in every response, the state file and the logs: no place for a password.
      if (url.username || url.password) throw badRequest(`http sink URL for ${url.origin} must not contain credentials (user:password@)`);
      if (!isOriginAllowed(sink.url, context.admin.httpAllow)) {
        throw badRequest(
          `http sink URL ${url.origin} is not allowed: add its origin to ADMIN_HTTP_ALLOW (now: ${context.admin.httpAllow.join(', ') || 'empty'})`,
        );
      }
      return;
    }
  }
}

function checkBrokers(brokers: readonly string[], context: DefinitionContext): void {
  const allowed = new Set([...context.brokers, ...context.admin.brokerAllow]);
  const refused = brokers.filter((broker) => !allowed.has(broker));
  if (refused.length > 0)
    throw badRequest(
      `brokers ${refused.join(', ')} are not allowed: the server uses ${context.brokers.join(', ')}; others must be listed in ADMIN_BROKER_ALLOW`,
    );
}

/** Where a consumer's dead letters go, relative to OUTPUT_DIR: one JSON Lines file per consumer. */
function deadLetterFile(consumer: Pick<StoredConsumer, 'name'>): string {
  return join('dead-letters', `${consumer.name}.jsonl`);
}

/** Where a consumer's dead letters go. */
export function deadLetterPath(outputDir: string, consumer: Pick<StoredConsumer, 'name'>): string {
  return join(outputDir, deadLetterFile(consumer));
}

/** A 400 unless the definition is allowed by the server's settings as they are now. */
export async function checkDefinition(definition: Pick<StoredConsumer, 'name' | 'brokers' | 'sinks'>, context: DefinitionContext): Promise<void> {
  checkBrokers(definition.brokers, context);
  for (const sink of definition.sinks) await checkSink(sink, context);
  await checkSinkPath(context.admin.outputDir, deadLetterFile(definition));
}

/** A new stored definition from a validated request, or a 400. */
export async function defineConsumer(input: ConsumerInput, context: DefinitionContext, existing?: StoredConsumer): Promise<StoredConsumer> {
  const id = existing?.id ?? randomUUID();
  const now = new Date().toISOString();
  const definition: StoredConsumer = {
    id,
    name: input.name ?? existing?.name ?? `consumer-${id.slice(0, 8)}`,
    brokers: input.brokers ?? [...context.brokers],
    // On a shared cluster each learner's server keeps to its own names (userScoped leaves scoped names as they are).
    topic: userScoped(context.admin.user, input.topic),
    group: userScoped(context.admin.user, input.group),
    sinks: input.sinks,
    status: existing?.status ?? 'INACTIVE',
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    lastError: existing?.lastError ?? null,
  };
  await checkDefinition(definition, context);
  return definition;
}
