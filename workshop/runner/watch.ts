/**
 * `npm run exercise` with no command: the current exercise, checked now and again on every save of
 * its file, with single keys on a terminal. Each check runs in a child process (the CLI's own `check
 * N`): a fresh process imports the learner's file as it is now (an ES module imported twice in one
 * process is the first version forever), and stopping a check is one signal to that process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { basename } from 'node:path';
import { ErrorCodes, ExitCodes, HarnessError, type ExitCode } from '../../shared/errors.js';
import { projectRoot } from '../../shared/paths.js';
import { exercises } from '../exercises.js';
import { exerciseFiles, isAvailable } from '../lib/run-check.js';
import type { ExerciseMeta } from '../lib/types.js';
import { command, ensureExerciseFile, listExercises, showHint, type RunnerContext } from './commands.js';
import { currentExercise, nextExercise, shownPath, statusOf } from './exercise-status.js';
import { ExerciseStatuses, loadProgress } from './progress.js';

export interface WatchOptions {
  /** The CLI's own file, run again for each check. */
  cliPath: string;
  /** Flags every check gets (brokers, user, state dir), as the learner gave them. */
  checkFlags: readonly string[];
  /** Saves within this many ms make one check (editors write a file in several steps). Default 300. */
  debounceMs?: number;
}

/** A check's process has this long to stop what it started after SIGINT before it is killed. */
const stopGraceMs = 8_000;

export async function watchExercises(context: RunnerContext, options: WatchOptions): Promise<ExitCode> {
  const first = currentExercise(loadProgress(context.stateDir));
  if (first === undefined) {
    context.print(
      exercises.some(isAvailable) ? `Every exercise there is has passed. Well done! ${command('list')} shows them all.` : 'No exercise is available yet.',
    );
    return ExitCodes.ok;
  }
  const { paint } = context;
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  let meta: ExerciseMeta = first;
  let child: ChildProcess | undefined;
  let rerun = false;
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let quitting = false;
  let resolveDone: (code: ExitCode) => void = () => {};
  const done = new Promise<ExitCode>((resolve) => (resolveDone = resolve));

  const keysLine = () =>
    paint.dim(interactive ? 'keys: c/Enter check now · h hint · l list · n next (once passed) · q quit' : 'Ctrl-C quits. Checks run on every save.');

  const header = () => {
    const files = exerciseFiles(meta);
    if (interactive) process.stdout.write('\u001b[2J\u001b[3J\u001b[H');
    context.print(paint.bold(`Exercise ${meta.id} · ${meta.title}`));
    context.print(meta.concept);
    context.print(`Edit ${paint.bold(shownPath(files.exercise))} (the task: ${shownPath(files.readme)}, or ${command(`start ${meta.id}`)})`);
    context.print(keysLine());
    context.print('');
  };

  const stopChild = (): Promise<void> => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => running.kill('SIGKILL'), stopGraceMs);
      running.once('close', () => {
        clearTimeout(kill);
        resolve();
      });
      running.kill('SIGINT');
    });
  };

  const runNow = () => {
    if (quitting) return;
    if (child !== undefined) {
      // A save during a check: stop this one and check the file as it is now.
      rerun = true;
      void stopChild();
      return;
    }
    header();
    const started = spawn(process.execPath, ['--import', 'tsx', options.cliPath, 'check', String(meta.id), ...options.checkFlags], {
      cwd: projectRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child = started;
    started.once('error', (error) => context.warn(`could not start the check: ${error.message}\n`));
    started.once('close', (code) => {
      child = undefined;
      if (quitting) return;
      if (rerun) {
        rerun = false;
        runNow();
        return;
      }
      if (code === ExitCodes.ok) {
        const next = nextExercise(meta);
        context.print(
          paint.green(
            next === undefined
              ? `\nExercise ${meta.id} passed, and it is the last one. Well done! Press q to quit.`
              : `\nExercise ${meta.id} passed! Press n for exercise ${next.id} (${next.title}), or keep polishing: every save checks again.`,
          ),
        );
      } else if (code !== ExitCodes.interrupted) {
        context.print(paint.dim(`\nSave ${shownPath(exerciseFiles(meta).exercise)} to check again${interactive ? ', or press c' : ''}.`));
      }
    });
  };

  const watchFile = () => {
    watcher?.close();
    const files = exerciseFiles(meta);
    // The folder, not the file: editors that save by writing a new file and renaming it would leave a file watch on the old one.
    watcher = watch(files.dir, (_event, name) => {
      if (name !== null && basename(name.toString()) !== basename(files.exercise)) return;
      clearTimeout(debounce);
      debounce = setTimeout(runNow, options.debounceMs ?? 300);
    });
  };

  const open = (next: ExerciseMeta) => {
    meta = next;
    if (ensureExerciseFile(meta)) context.print(`Made ${shownPath(exerciseFiles(meta).exercise)} from start.ts.`);
    watchFile();
    runNow();
  };

  const quit = async (code: ExitCode) => {
    if (quitting) return;
    quitting = true;
    clearTimeout(debounce);
    watcher?.close();
    if (interactive) process.stdin.setRawMode(false);
    process.stdin.pause();
    await stopChild();
    resolveDone(code);
  };

  const onKey = (key: string) => {
    switch (key) {
      case 'c':
      case '\r':
      case '\n':
        runNow();
        return;
      case 'h':
        context.print('');
        showHint(context, meta);
        return;
      case 'l':
        context.print('');
        listExercises(context);
        context.print(keysLine());
        return;
      case 'n': {
        if (statusOf(meta, loadProgress(context.stateDir)) !== ExerciseStatuses.passed) {
          context.print(paint.dim(`\nExercise ${meta.id} has not passed yet: n moves on once it has.`));
          return;
        }
        const next = nextExercise(meta);
        if (next === undefined) {
          context.print(paint.dim('\nThat was the last exercise there is. Press q to quit.'));
          return;
        }
        rerun = false;
        void stopChild().then(() => open(next));
        return;
      }
      case 'q':
      case '\u0003':
        void quit(ExitCodes.ok);
        return;
      default:
    }
  };

  if (interactive) {
    process.stdin.setRawMode(true);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (data: string) => {
      for (const key of data) onKey(key);
    });
  }
  // Without raw mode, Ctrl-C is a signal: the check's process gets it too (same process group) and stops.
  const onSignal = () => void quit(ExitCodes.ok);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    open(meta);
  } catch (error) {
    await quit(ExitCodes.failure);
    throw new HarnessError(ErrorCodes.runtime, `could not watch exercise ${meta.id}: ${(error as Error).message}`, { cause: error });
  }
  const code = await done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return code;
}
