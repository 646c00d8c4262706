/**
 * kafka/jars.lock.json: the broker's classpath as exact Maven coordinates with the SHA-256 of each
 * jar, so the jars can be fetched with plain HTTP and checked, and no resolver (Maven) is needed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorCodes, HarnessError } from '../shared/errors.js';
import { projectRoot } from '../shared/paths.js';

export const jarsLockPath = join(projectRoot, 'kafka', 'jars.lock.json');

const coordinate = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash or underscore only');

const lockedJarSchema = z
  .object({
    group: coordinate,
    artifact: coordinate,
    version: coordinate,
    sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
    /** Bytes: lets the progress line say how much is left before the first response arrives. */
    size: z.number().int().positive(),
  })
  .strict();

const jarsLockSchema = z
  .object({
    comment: z.string().optional(),
    kafkaVersion: z.string().min(1),
    jars: z.array(lockedJarSchema).min(1),
  })
  .strict();

export type LockedJar = z.infer<typeof lockedJarSchema>;
export type JarsLock = z.infer<typeof jarsLockSchema>;

/** The file name mvn dependency:copy-dependencies gives a jar, which the classpath `libs/*` picks up. */
export function jarFileName(jar: Pick<LockedJar, 'artifact' | 'version'>): string {
  return `${jar.artifact}-${jar.version}.jar`;
}

/** The jar's address in a repository with Maven's layout: org.apache.kafka → org/apache/kafka/… */
export function jarUrl(jar: Pick<LockedJar, 'group' | 'artifact' | 'version'>, repositoryUrl: string): string {
  return `${repositoryUrl.replace(/\/+$/, '')}/${jar.group.replaceAll('.', '/')}/${jar.artifact}/${jar.version}/${jarFileName(jar)}`;
}

/** Validates a lock file's text; the message names the file and the first bad field. */
export function parseJarsLock(text: string, origin = jarsLockPath): JarsLock {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HarnessError(
      ErrorCodes.runtime,
      `${origin} is not valid JSON (${(error as Error).message}): restore it with git checkout -- kafka/jars.lock.json`,
    );
  }
  const result = jarsLockSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.join('.') || '(top level)';
    throw new HarnessError(ErrorCodes.runtime, `${origin}: ${where}: ${issue?.message}: restore it with git checkout -- kafka/jars.lock.json`);
  }
  const names = new Set<string>();
  for (const jar of result.data.jars) {
    const name = jarFileName(jar);
    // Two entries with one file name would overwrite each other in libs/.
    if (names.has(name)) throw new HarnessError(ErrorCodes.runtime, `${origin} lists ${name} twice: restore it with git checkout -- kafka/jars.lock.json`);
    names.add(name);
  }
  return result.data;
}

export function readJarsLock(path = jarsLockPath): JarsLock {
  return parseJarsLock(readFileSync(path, 'utf8'), path);
}

export function totalBytes(lock: JarsLock): number {
  return lock.jars.reduce((sum, jar) => sum + jar.size, 0);
}
