/** The runner's subcommands, each a function of what the CLI parsed; each returns its exit code. */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, ExitCodes, HarnessError, type ExitCode } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { userScoped } from '../../shared/names.js';
import { formatTable } from '../../shared/table.js';
import { exercises } from '../exercises.js';
import { exerciseFiles, isAvailable, resetExercise, runCheck } from '../lib/run-check.js';
import type { ExerciseMeta } from '../lib/types.js';
import { currentExercise, shownPath, statusOf } from './exercise-status.js';
import { ExerciseStatuses, loadProgress, recordOf, updateRecord } from './progress.js';
import { formatCheckResult, type Paint } from './report.js';

export interface RunnerContext {
  readonly brokers: readonly string[];
  readonly user: string | undefined;
  /** Where progress.json (and the backups `reset` keeps) live. */
  readonly stateDir: string;
  readonly log: Logger;
  readonly paint: Paint;
  /** What the learner reads: stdout. */
  print(text: string): void;
  /** Warnings and refusals: stderr. */
  warn(text: string): void;
}

/** How the learner runs a subcommand, for messages. */
export function command(text: string): string {
  return `npm run exercise -- ${text}`;
}

function requireAvailable(meta: ExerciseMeta): void {
  if (!isAvailable(meta)) {
    throw new HarnessError(ErrorCodes.runtime, `exercise ${meta.id} (${meta.title}) is not available yet: its start.ts or check.ts has not been written`);
  }
}

/** Makes exercise.ts from start.ts when there is none; true when it made one. */
export function ensureExerciseFile(meta: ExerciseMeta): boolean {
  const files = exerciseFiles(meta);
  if (existsSync(files.exercise)) return false;
  copyFileSync(files.start, files.exercise);
  return true;
}

export function listExercises(context: RunnerContext): ExitCode {
  const progress = loadProgress(context.stateDir);
  const current = currentExercise(progress);
  const { paint } = context;
  const rows = exercises.map((meta) => {
    const status = statusOf(meta, progress);
    const shown = status === ExerciseStatuses.passed ? paint.green(status) : status === ExerciseStatuses.failing ? paint.red(status) : status;
    return [meta.id === current?.id ? '→' : ' ', String(meta.id).padStart(2), meta.title, `${meta.minutes} min`, shown];
  });
  context.print(formatTable([' ', ' #', 'EXERCISE', 'TIME', 'STATUS'], rows));
  const passed = exercises.filter((meta) => statusOf(meta, progress) === ExerciseStatuses.passed).length;
  context.print(
    `\n${passed} of ${exercises.length} passed.${
      current === undefined
        ? ''
        : ` Next: ${command(`${statusOf(current, progress) === ExerciseStatuses.notStarted ? 'start' : 'check'} ${current.id}`)}, or just \`npm run exercise\` to work on it with a check on every save.`
    }`,
  );
  return ExitCodes.ok;
}

export function startExercise(context: RunnerContext, meta: ExerciseMeta): ExitCode {
  requireAvailable(meta);
  const files = exerciseFiles(meta);
  const made = ensureExerciseFile(meta);
  updateRecord(context.stateDir, meta.id, (record) => ({ ...record, status: record.status ?? ExerciseStatuses.started }));
  const readme = existsSync(files.readme) ? readFileSync(files.readme, 'utf8').trim() : `# ${meta.title}\n\n${meta.concept}`;
  context.print(readme);
  context.print('');
  context.print(
    made
      ? `Made ${shownPath(files.exercise)} from start.ts: edit that file.`
      : `Edit ${shownPath(files.exercise)} (your copy, kept; ${command(`reset ${meta.id}`)} starts over from start.ts).`,
  );
  context.print(`Check it: ${command(`check ${meta.id}`)}   or run \`npm run exercise\` to check on every save.`);
  return ExitCodes.ok;
}

export interface CheckOptions {
  solution: boolean;
  seed?: number;
  signal: AbortSignal;
}

export async function checkExercise(context: RunnerContext, meta: ExerciseMeta, options: CheckOptions): Promise<ExitCode> {
  requireAvailable(meta);
  const files = exerciseFiles(meta);
  if (options.solution && !existsSync(files.solution)) throw new HarnessError(ErrorCodes.runtime, `exercise ${meta.id} has no reference solution yet`);
  if (!options.solution && ensureExerciseFile(meta)) context.print(`Made ${shownPath(files.exercise)} from start.ts.`);
  const file = options.solution ? files.solution : files.exercise;
  context.print(context.paint.bold(`Exercise ${meta.id} · ${meta.title}`) + context.paint.dim(`  checking ${shownPath(file)}…`));
  const result = await runCheck(meta, {
    file,
    brokers: context.brokers,
    user: context.user,
    log: context.log,
    signal: options.signal,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  context.print(formatCheckResult(meta, result, context.paint, { solution: options.solution }));
  if (result.interrupted) return ExitCodes.interrupted;
  if (!options.solution) {
    updateRecord(context.stateDir, meta.id, (record) => ({
      ...record,
      status: result.passed ? ExerciseStatuses.passed : ExerciseStatuses.failing,
      everPassed: record.everPassed || result.passed,
      lastCheckedAt: new Date().toISOString(),
      lastSeed: result.seed,
    }));
  }
  if (!result.passed && !options.solution) {
    const { hintsSeen } = recordOf(loadProgress(context.stateDir), meta.id);
    if (hintsSeen < meta.hints.length) context.print(context.paint.dim(`Stuck? ${command(`hint ${meta.id}`)}`));
  }
  return result.passed ? ExitCodes.ok : ExitCodes.failure;
}

export function showHint(context: RunnerContext, meta: ExerciseMeta): ExitCode {
  requireAvailable(meta);
  const seen = recordOf(loadProgress(context.stateDir), meta.id).hintsSeen;
  const hint = meta.hints[seen];
  if (meta.hints.length === 0) {
    context.print(`Exercise ${meta.id} has no hints; the ✗ lines of a check say where to look, and ${command(`solution ${meta.id}`)} shows the answer.`);
    return ExitCodes.ok;
  }
  if (hint === undefined) {
    context.print(`No more hints for exercise ${meta.id}; ${command(`solution ${meta.id}`)} shows the answer.`);
    return ExitCodes.ok;
  }
  updateRecord(context.stateDir, meta.id, (record) => ({ ...record, hintsSeen: seen + 1 }));
  context.print(`Hint ${seen + 1} of ${meta.hints.length}: ${hint}`);
  return ExitCodes.ok;
}

export function showSolution(context: RunnerContext, meta: ExerciseMeta, force: boolean): ExitCode {
  requireAvailable(meta);
  const files = exerciseFiles(meta);
  if (!existsSync(files.solution)) throw new HarnessError(ErrorCodes.runtime, `exercise ${meta.id} has no reference solution yet`);
  const record = recordOf(loadProgress(context.stateDir), meta.id);
  if (!record.everPassed) {
    if (!force) {
      throw new HarnessError(
        ErrorCodes.runtime,
        `exercise ${meta.id} is not passed yet, so its solution stays hidden: try ${command(`hint ${meta.id}`)}, or add --force to see it anyway`,
      );
    }
    context.warn(`Showing the answer to exercise ${meta.id} before it passed: read it, close it, then write your own from memory.\n`);
  }
  context.print(`// ${shownPath(files.solution)}\n${readFileSync(files.solution, 'utf8').trimEnd()}`);
  return ExitCodes.ok;
}

export async function resetExerciseCommand(context: RunnerContext, meta: ExerciseMeta): Promise<ExitCode> {
  requireAvailable(meta);
  const files = exerciseFiles(meta);
  if (existsSync(files.exercise) && readFileSync(files.exercise, 'utf8') !== readFileSync(files.start, 'utf8')) {
    // The learner's work is worth a copy: a reset typed for the wrong exercise should not cost an afternoon.
    const backups = join(context.stateDir, 'backups');
    mkdirSync(backups, { recursive: true });
    const backup = join(backups, `${meta.slug}.${new Date().toISOString().replace(/[:.]/g, '-')}.ts`);
    copyFileSync(files.exercise, backup);
    context.print(`Your previous ${shownPath(files.exercise)} is kept in ${backup}.`);
  }
  copyFileSync(files.start, files.exercise);
  updateRecord(context.stateDir, meta.id, (record) => ({ ...record, status: ExerciseStatuses.started }));
  context.print(`Restored ${shownPath(files.exercise)} from start.ts.`);
  if (meta.nodes === 3) {
    context.print('Its check brings its own 3-node cluster, so there is nothing to reset on the broker.');
    return ExitCodes.ok;
  }
  await resetExercise(meta, { brokers: context.brokers, user: context.user, log: context.log });
  const scoped = (name: string) => userScoped(context.user, name);
  const topics = meta.topics.map((topic) => scoped(topic.name)).join(', ');
  const groups = meta.groups.map(scoped).join(', ');
  context.print(`Topics ${topics} are empty again${groups === '' ? '' : `; group ${groups} is gone`}.`);
  return ExitCodes.ok;
}
