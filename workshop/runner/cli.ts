/**
 * npm run exercise — the workshop's runner: the current exercise checked on every save, or one
 * command at a time (list, start, check, hint, solution, reset). Runs through tsx, because the
 * learner's file is TypeScript that is never compiled ahead.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { brokersFlag, commandConfigFlag, createCli, requireInteger, runCli } from '../../shared/cli.js';
import { parseUser, settings } from '../../shared/config.js';
import { ExitCodes, UsageError, type ExitCode } from '../../shared/errors.js';
import { createRootLogger, setRootLogger } from '../../shared/logger.js';
import { projectRoot } from '../../shared/paths.js';
import { installShutdown } from '../../shared/shutdown.js';
import { checkExercise, listExercises, resetExerciseCommand, showHint, showSolution, startExercise, type RunnerContext } from './commands.js';
import { findExercise } from './exercise-status.js';
import { createPaint } from './report.js';
import { watchExercises } from './watch.js';

const scriptName = 'npm run exercise --';

/** A usage mistake is one line, without the shared usage line after it: the learner has `list` and `--help` for more. */
function oneLineUsage(main: () => Promise<ExitCode>): () => Promise<ExitCode> {
  return async () => {
    try {
      return await main();
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      // yargs' own words for a missing <n> say nothing about what N is.
      const message = error.message.startsWith('Not enough non-option arguments')
        ? 'give the exercise number after the command, e.g. npm run exercise -- check 1'
        : error.message;
      process.stderr.write(`npm run exercise: error: ${message}\n`);
      return ExitCodes.usage;
    }
  };
}

await runCli(
  oneLineUsage(async (): Promise<ExitCode> => {
    const config = settings();
    let action: ((context: RunnerContext) => Promise<ExitCode> | ExitCode) | undefined;
    const exerciseArgument = { describe: 'Exercise number (1–10) or name', type: 'string' } as const;

    const argv = await createCli(hideBin(process.argv), { scriptName })
      .usage(
        `Usage: ${scriptName} [command] [options]\n\nThe workshop: ten exercises that check themselves against a real Kafka broker.\nWith no command: the current exercise, checked again on every save.`,
      )
      .command('$0', 'Work on the current exercise: check on every save (keys: c check, h hint, l list, n next, q quit)')
      .command('list', 'Every exercise and where you stand: not started, started, failing or passed', {}, () => {
        action = listExercises;
      })
      .command(
        'start <n>',
        'Make your copy of exercise N (exercise.ts) and print its task',
        (y) => y.positional('n', exerciseArgument),
        (args) => {
          const meta = findExercise(args.n ?? '');
          action = (context) => startExercise(context, meta);
        },
      )
      .command(
        'check <n>',
        'Check your exercise N: exit 0 when every item passes, 1 when one does not',
        (y) =>
          y.positional('n', exerciseArgument).options({
            solution: { type: 'boolean', default: false, describe: 'Check the reference solution instead of your file' },
            seed: { type: 'number', describe: 'Random input from this seed (a failed check prints its seed)' },
          }),
        (args) => {
          const meta = findExercise(args.n ?? '');
          const seed = args.seed === undefined ? undefined : requireInteger('seed', args.seed, 1, 2 ** 31 - 1);
          action = async (context) => {
            // A stop during the check: the check is told (it stops what it started), a second Ctrl-C forces.
            const shutdown = installShutdown({ log: context.log, graceMs: 10_000, announce: false });
            try {
              return await checkExercise(context, meta, { solution: args.solution, signal: shutdown.signal, ...(seed === undefined ? {} : { seed }) });
            } finally {
              shutdown.dispose();
            }
          };
        },
      )
      .command(
        'hint <n>',
        'The next hint for exercise N, one at a time',
        (y) => y.positional('n', exerciseArgument),
        (args) => {
          const meta = findExercise(args.n ?? '');
          action = (context) => showHint(context, meta);
        },
      )
      .command(
        'solution <n>',
        'The reference solution of exercise N, once you passed it',
        (y) => y.positional('n', exerciseArgument).option('force', { type: 'boolean', default: false, describe: 'Show it before you passed' }),
        (args) => {
          const meta = findExercise(args.n ?? '');
          action = (context) => showSolution(context, meta, args.force);
        },
      )
      .command(
        'reset <n>',
        'Start exercise N over: exercise.ts from start.ts (your old copy is kept), its topics emptied, its groups deleted',
        (y) => y.positional('n', exerciseArgument),
        (args) => {
          const meta = findExercise(args.n ?? '');
          action = (context) => resetExerciseCommand(context, meta);
        },
      )
      .options({
        brokers: brokersFlag(config),
        'command-config': commandConfigFlag(),
        user: {
          alias: 'u',
          type: 'string',
          default: config.user,
          defaultDescription: 'HARNESS_USER',
          describe: 'Your name on a shared cluster: your topics and groups become <user>.ws01-orders…',
          coerce: (value: string | undefined) => parseUser(value, '--user'),
        },
        'state-dir': {
          type: 'string',
          default: join(projectRoot, '.workshop'),
          defaultDescription: '.workshop',
          describe: 'Where your progress and the copies reset keeps live',
        },
        verbose: { alias: 'v', type: 'boolean', default: false, describe: 'Show the info logs of the checks and their clients' },
      })
      .example(`${scriptName.replace(/ --$/, '')}`, 'the current exercise, checked on every save')
      .example(`${scriptName} list`, 'where you stand')
      .example(`${scriptName} start 1`, 'your copy of exercise 1, and its task')
      .example(`${scriptName} check 1`, 'check it once')
      .example(`${scriptName} hint 1`, 'stuck? one hint at a time')
      .example(`${scriptName} check 1 --seed 42`, 'the same random input as a run that printed seed 42')
      .example(`HARNESS_USER=alice ${scriptName} check 1`, 'on a shared cluster: alice.ws01-orders')
      .parseAsync();

    const log = createRootLogger({ level: argv.verbose ? 'info' : 'warn' }).child({ component: 'workshop' });
    setRootLogger(log);
    const context: RunnerContext = {
      brokers: argv.brokers,
      user: argv.user,
      stateDir: argv['state-dir'],
      log,
      // hasColors() follows NO_COLOR and FORCE_COLOR, and is false when stdout is not a terminal.
      paint: createPaint(process.stdout.isTTY === true && process.stdout.hasColors()),
      print: (text) => process.stdout.write(`${text}\n`),
      warn: (text) => process.stderr.write(text),
    };
    if (action !== undefined) return await action(context);
    const checkFlags = ['--brokers', argv.brokers.join(','), '--state-dir', argv['state-dir'], ...(argv.user === undefined ? [] : ['--user', argv.user])];
    return await watchExercises(context, { cliPath: fileURLToPath(import.meta.url), checkFlags: argv.verbose ? [...checkFlags, '--verbose'] : checkFlags });
  }),
);
