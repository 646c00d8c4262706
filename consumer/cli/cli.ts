/** npm run consume — N child processes, each owning a slice of the partitions, writing what they read. */
import { hideBin } from 'yargs/helpers';
import { createCli, runCli } from '../../shared/cli.js';
import { settings } from '../../shared/config.js';
import { createRootLogger, setRootLogger } from '../../shared/logger.js';
import { consumerFlags, describeExamples, toConsumerOptions } from './options.js';
import { runSupervisor } from './supervisor.js';

await runCli(async () => {
  const config = settings();
  const cli = createCli(hideBin(process.argv), { scriptName: 'npm run consume --', envPrefix: 'CONSUME' })
    .usage(
      'Usage: npm run consume -- [options]\n\nForks child processes that each own a slice of the partitions, write what they read, and commit only after it is written.',
    )
    .options(consumerFlags(config))
    .epilog(
      'Every flag can also come from the environment: CONSUME_PROCESSES=4 is -p 4. Ctrl-C: each child finishes its batch, commits and exits; a second Ctrl-C forces.',
    );
  const options = toConsumerOptions(await describeExamples(cli).parseAsync(), process.stderr.isTTY === true);
  const level = options.verbose ? 'debug' : options.quiet ? 'warn' : config.logLevel;
  const log = createRootLogger({ level }).child({ component: 'consume' });
  setRootLogger(log);
  return runSupervisor(options, log, level);
});
