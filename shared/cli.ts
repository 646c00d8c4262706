/**
 * What every CLI entry shares: a strict yargs parser whose mistakes become a UsageError (exit 2),
 * and a runner that turns any error into one line on stderr and the right exit code.
 */
import yargs, { type Argv } from 'yargs';
import { parseBrokerList, parseUser, useCommandConfig, type Settings } from './config.js';
import { ExitCodes, isHarnessError, messageOf, UsageError, type ExitCode } from './errors.js';
import { getLogger } from './logger.js';

export interface CliOptions {
  /** How the user runs it, shown in usage lines: `npm run produce --`. */
  scriptName: string;
  /** Flags may also come from variables with this prefix, e.g. PRODUCE_RATE for --rate. */
  envPrefix?: string;
}

let currentScriptName = 'kafka-harness';

export function createCli(argv: readonly string[], options: CliOptions): Argv {
  currentScriptName = options.scriptName;
  let cli = yargs([...argv])
    .scriptName(options.scriptName)
    .strict()
    .help('help')
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      // yargs calls this for its own parse errors (message) and for errors thrown in checks (error)
      // yargs spreads some messages over lines ("Invalid values:\n  Argument: …"): keep them to one.
      // A coerce callback's own error (e.g. --brokers) reaches here re-thrown by yargs as a YError: it is a usage mistake too.
      if (error?.name === 'YError') throw new UsageError(error.message);
      throw error ?? new UsageError(message.replace(/:?\s*\n\s*/g, ': ').replace(/::/g, ':'));
    });
  if (options.envPrefix) cli = cli.env(options.envPrefix);
  return cli;
}

/**
 * The --brokers flag of every command that talks to Kafka, parsed once into a list (yargs applies
 * `coerce` to the default too), so commands pass brokers on as a list and never re-split a string.
 */
export function brokersFlag(settings: Settings, group?: string) {
  return {
    alias: 'b',
    type: 'string',
    default: settings.brokers.join(','),
    ...(group === undefined ? {} : { group }),
    describe: 'Bootstrap brokers, host:port,… (KAFKA_BROKERS)',
    coerce: (text: string): string[] => parseBrokerList(text, '--brokers'),
  } as const;
}

/**
 * --command-config FILE: TLS and SASL from a Java-style properties file, as Kafka's own tools take it
 * (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location…). Parsed at once,
 * so a bad file is a usage error before anything connects, and from then on every client this
 * process makes uses it instead of the KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and KAFKA_SSL_*
 * variables. The value is the file's absolute path: the reference to hand to child processes and
 * worker threads (they read the file themselves; no secret crosses over).
 */
export function commandConfigFlag(group?: string) {
  return {
    type: 'string',
    ...(group === undefined ? {} : { group }),
    describe: 'Security settings file as Kafka tools take it: security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location (PEM)…',
    coerce: (file: string | undefined): string | undefined => useCommandConfig(file),
  } as const;
}

/**
 * --user: a learner's name on a shared cluster (HARNESS_USER). Commands scope the topics, groups and
 * client ids they use with shared/names.ts's userScoped, so a room of learners never collides.
 */
export function userFlag(settings: Settings, group?: string) {
  return {
    type: 'string',
    ...(settings.user === undefined ? {} : { default: settings.user }),
    ...(group === undefined ? {} : { group }),
    describe: 'Your name on a shared cluster: prefixes topics, groups and client ids with <user>. (HARNESS_USER)',
    coerce: (text: string | undefined): string | undefined => parseUser(text, '--user'),
  } as const;
}

/** A flag's number that must be a whole number in a range; the message names the flag. */
export function requireInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `between ${min} and ${max}`;
    // yargs has already turned a word into NaN: the word itself is gone, so say what was expected.
    throw new UsageError(
      Number.isNaN(value) ? `--${name} takes a whole number ${range}, not a word` : `--${name} must be a whole number ${range} (got ${value})`,
    );
  }
  return value;
}

/** Prints one line for an error and returns the exit code it stands for. */
export function reportError(error: unknown): ExitCode {
  const prefix = `${currentScriptName.replace(/ --$/, '')}:`;
  if (isHarnessError(error)) {
    process.stderr.write(`${prefix} error: ${error.message}\n`);
    for (const line of error.details) process.stderr.write(`  ${line}\n`);
    if (error instanceof UsageError) process.stderr.write(`Usage: ${currentScriptName} [options]   (see --help)\n`);
    if (error.cause !== undefined) getLogger('cli').debug({ err: error.cause }, 'cause');
    return error.exitCode;
  }
  // Not a known failure: a bug or an unexpected state. One line by default, the stack on request.
  process.stderr.write(`${prefix} unexpected error: ${messageOf(error)} (LOG_LEVEL=debug shows the stack)\n`);
  getLogger('cli').debug({ err: error }, 'unexpected error');
  return ExitCodes.failure;
}

/** Runs a CLI's main function and exits with its code once stdout has drained. */
export async function runCli(main: () => Promise<ExitCode | undefined>): Promise<never> {
  let code: ExitCode;
  try {
    code = (await main()) ?? ExitCodes.ok;
  } catch (error) {
    code = reportError(error);
  }
  await new Promise<void>((done) => process.stdout.write('', () => done()));
  process.exit(code);
}
