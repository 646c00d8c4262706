/**
 * Runs one exercise's check the same way for the runner (`npm run exercise`) and the tests: the broker
 * must answer, the exercise's topics and groups start fresh, and the check stops at its time limit.
 */
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Admin } from 'kafkajs';
import { ErrorCodes, HarnessError, messageOf } from '../../shared/errors.js';
import { connectClient, createKafka, explainKafkaError } from '../../shared/kafka-client.js';
import type { Logger } from '../../shared/logger.js';
import { userScoped } from '../../shared/names.js';
import { projectRoot } from '../../shared/paths.js';
import type { Check, CheckItem, ExerciseMeta } from './types.js';

/** Where an exercise's files are, absolute. */
export interface ExerciseFiles {
  readonly dir: string;
  readonly readme: string;
  /** The committed starting file, never edited. */
  readonly start: string;
  /** The learner's working copy, made from start.ts (git-ignored). */
  readonly exercise: string;
  readonly check: string;
  readonly solution: string;
}

export function exerciseFiles(meta: ExerciseMeta): ExerciseFiles {
  const dir = join(projectRoot, 'workshop', meta.slug);
  return {
    dir,
    readme: join(dir, 'README.md'),
    start: join(dir, 'start.ts'),
    exercise: join(dir, 'exercise.ts'),
    check: join(dir, 'check.ts'),
    solution: join(projectRoot, 'workshop', 'solutions', `${meta.slug}.ts`),
  };
}

/** An exercise can be run once its starting file and its check have landed. */
export function isAvailable(meta: ExerciseMeta): boolean {
  const files = exerciseFiles(meta);
  return existsSync(files.start) && existsSync(files.check);
}

export interface RunCheckOptions {
  /** Absolute path of the module under test: the learner's exercise.ts or the reference solution. */
  file: string;
  brokers: readonly string[];
  user: string | undefined;
  /** Seed for the check's random input; a random one when omitted (the result says which). */
  seed?: number;
  log: Logger;
  /** Ctrl-C: the check is told to stop, and the result says it was interrupted. */
  signal?: AbortSignal;
  /** How long a check may take to return once told to stop, ms. Default 5000. */
  graceMs?: number;
  /** Overrides meta.timeLimitMs (tests of the runner itself). */
  timeLimitMs?: number;
}

export interface CheckResult {
  items: CheckItem[];
  /** Every item ok, and at least one item. */
  passed: boolean;
  durationMs: number;
  seed: number;
  /** Stopped by the caller's signal (Ctrl-C) before it finished: the items are partial. */
  interrupted: boolean;
}

/** How long the broker has to answer before the check is not even started. */
const brokerDeadlineMs = 5_000;
/** KafkaJS's default session timeout is 30 s: members left behind by a killed consumer are gone by then. */
const membersLeaveDeadlineMs = 35_000;
/** Deleted topics take a moment to disappear from the controller's metadata; recreating waits that long at most. */
const recreateDeadlineMs = 30_000;

function failedItem(name: string, expected: string, actual: string, hint?: string): CheckItem {
  return { name, ok: false, expected, actual, ...(hint === undefined ? {} : { hint }) };
}

/** A message for a learner: a thrown error's first lines, never its stack. */
function shortMessage(error: unknown): string {
  return messageOf(error).split('\n').slice(0, 4).join(' ').trim() || String(error);
}

async function withAdmin<T>(brokers: readonly string[], user: string | undefined, log: Logger, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = createKafka({ clientId: userScoped(user, 'workshop-runner'), brokers, log, retry: { retries: 2 } }).admin();
  await connectClient(admin, brokers, { deadlineMs: brokerDeadlineMs });
  try {
    return await use(admin);
  } catch (error) {
    throw explainKafkaError(error, brokers);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Deletes the exercise's topics and groups (scoped to `user`) and creates the topics again, empty, so
 * a check never sees what an earlier run left behind. A group that still has members (a consumer of
 * the learner's still running) is an error that says so: deleting it would fail anyway.
 */
export async function resetExerciseState(admin: Admin, meta: ExerciseMeta, user: string | undefined, log: Logger): Promise<void> {
  const groups = meta.groups.map((name) => userScoped(user, name));
  if (groups.length > 0) {
    const existing = new Set((await admin.listGroups()).groups.map((group) => group.groupId));
    const toDelete = groups.filter((group) => existing.has(group));
    if (toDelete.length > 0) {
      // A consumer killed without leaving (a check stopped mid-run) stays a member until its session times out.
      const deadline = Date.now() + membersLeaveDeadlineMs;
      let warned = false;
      for (;;) {
        const described = await admin.describeGroups(toDelete);
        const busy = described.groups.filter((group) => group.members.length > 0).map((group) => group.groupId);
        if (busy.length === 0) break;
        if (Date.now() > deadline) {
          throw new HarnessError(
            ErrorCodes.runtime,
            `consumer group ${busy.join(', ')} still has members after ${membersLeaveDeadlineMs / 1000} s: stop the consumer of yours that is still running, then try again`,
          );
        }
        if (!warned) log.warn({ groups: busy }, 'waiting for the members an earlier run left in the group to time out');
        warned = true;
        await delay(1_000);
      }
      await admin.deleteGroups(toDelete);
    }
  }

  const topics = meta.topics.map((topic) => ({ ...topic, name: userScoped(user, topic.name) }));
  const names = topics.map((topic) => topic.name);
  const present = (await admin.listTopics()).filter((name) => names.includes(name));
  if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 10_000 });

  // The deletion is done once no broker lists the names any more; creating before that fails with "already exists".
  const deadline = Date.now() + recreateDeadlineMs;
  for (let attempt = 0; present.length > 0; attempt++) {
    const left = (await admin.listTopics()).filter((name) => present.includes(name));
    if (left.length === 0) break;
    if (Date.now() > deadline)
      throw new HarnessError(ErrorCodes.runtime, `topic ${left.join(', ')} was deleted but is still listed after ${recreateDeadlineMs / 1000} s`);
    await delay(Math.min(50 * 2 ** attempt, 1_000));
  }
  if (topics.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map((topic) => ({
      topic: topic.name,
      numPartitions: topic.partitions,
      replicationFactor: topic.replicationFactor ?? 1,
      configEntries: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
  });
}

/** `reset N`'s broker half: the exercise's topics and groups, deleted and created again. */
export async function resetExercise(meta: ExerciseMeta, options: { brokers: readonly string[]; user: string | undefined; log: Logger }): Promise<void> {
  if (meta.nodes === 3) return;
  await withAdmin(options.brokers, options.user, options.log, (admin) => resetExerciseState(admin, meta, options.user, options.log));
}

async function loadCheck(meta: ExerciseMeta): Promise<Check> {
  const { check } = exerciseFiles(meta);
  if (!existsSync(check)) throw new HarnessError(ErrorCodes.runtime, `exercise ${meta.id} (${meta.title}) is not available yet: ${check} is missing`);
  const module = (await import(pathToFileURL(check).href)) as { default?: unknown };
  if (typeof module.default !== 'function') throw new HarnessError(ErrorCodes.runtime, `${check} does not default-export a check function`);
  return module.default as Check;
}

type Outcome = { kind: 'returned'; items: readonly CheckItem[] } | { kind: 'threw'; error: unknown } | { kind: 'stuck' };

/** Runs one exercise's check against `options.file` and returns its checklist; it never throws for a failing check. */
export async function runCheck(meta: ExerciseMeta, options: RunCheckOptions): Promise<CheckResult> {
  const seed = options.seed ?? randomInt(1, 2 ** 31 - 1);
  const started = performance.now();
  const { log, user } = options;
  const finish = (items: CheckItem[], interrupted = false): CheckResult => ({
    items,
    passed: !interrupted && items.length > 0 && items.every((item) => item.ok),
    durationMs: Math.round(performance.now() - started),
    seed,
    interrupted,
  });

  // A 3-node exercise brings its own cluster: the shared broker is neither needed nor touched.
  if (meta.nodes === 1) {
    try {
      await withAdmin(options.brokers, user, log, async (admin) => {
        await admin.describeCluster();
        await resetExerciseState(admin, meta, user, log);
      });
    } catch (error) {
      const unreachable = (error as { code?: unknown }).code === ErrorCodes.brokerUnreachable;
      return finish([
        unreachable
          ? failedItem(
              'the Kafka broker answers',
              `a broker at ${options.brokers.join(', ')}`,
              `no answer (${shortMessage((error as Error).cause ?? error)})`,
              'start it with `npm run kafka:up` (or point KAFKA_BROKERS / --brokers at yours)',
            )
          : failedItem("the exercise's topics and groups start fresh", 'its topics deleted and created again', shortMessage(error)),
      ]);
    }
  }
  if (options.signal?.aborted) return finish([], true);

  const timeLimitMs = options.timeLimitMs ?? meta.timeLimitMs;
  const graceMs = options.graceMs ?? 5_000;
  const controller = new AbortController();
  let timedOut = false;
  const limit = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`time limit of ${timeLimitMs / 1000} s reached`));
  }, timeLimitMs);
  const onCallerAbort = () => controller.abort(options.signal?.reason ?? new Error('interrupted'));
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  let grace: NodeJS.Timeout | undefined;
  const stuck = new Promise<Outcome>((resolve) => {
    controller.signal.addEventListener('abort', () => (grace = setTimeout(() => resolve({ kind: 'stuck' }), graceMs)), { once: true });
  });
  const running = (async (): Promise<Outcome> => {
    try {
      const check = await loadCheck(meta);
      const items = await check({
        brokers: options.brokers,
        user,
        scoped: (name) => userScoped(user, name),
        file: options.file,
        log,
        signal: controller.signal,
        seed,
      });
      return { kind: 'returned', items };
    } catch (error) {
      return { kind: 'threw', error };
    }
  })();

  let outcome: Outcome;
  try {
    outcome = await Promise.race([running, stuck]);
  } finally {
    clearTimeout(limit);
    clearTimeout(grace);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }

  const interrupted = options.signal?.aborted === true && !timedOut;
  const timeoutItem = failedItem(
    `the check finishes within ${timeLimitMs / 1000} s`,
    `done within ${timeLimitMs / 1000} s`,
    `timed out after ${timeLimitMs / 1000} s`,
    'something waits forever: a consumer that never stops, a promise never resolved, a send never awaited',
  );
  if (outcome.kind === 'stuck') return finish(timedOut ? [timeoutItem] : [], interrupted);
  if (outcome.kind === 'threw') {
    if (interrupted) return finish([], true);
    return finish([timedOut ? timeoutItem : failedItem('the check runs to the end', 'your code to run without throwing', shortMessage(outcome.error))]);
  }
  const items = [...outcome.items];
  if (timedOut) items.push(timeoutItem);
  return finish(items, interrupted);
}
