/** npm run produce — JSON orders from worker threads × async tasks, with a perf-test style report. */
import { hideBin } from 'yargs/helpers';
import { createCli, runCli } from '../shared/cli.js';
import { settings } from '../shared/config.js';
import { createRootLogger, setRootLogger } from '../shared/logger.js';
import { describeExamples, producerFlags, toProducerOptions } from './options.js';
import { runProducer } from './run.js';

await runCli(async () => {
  const config = settings();
  const cli = createCli(hideBin(process.argv), { scriptName: 'npm run produce --', envPrefix: 'PRODUCE' })
    .usage('Usage: npm run produce -- [options]\n\nSends JSON orders to a topic and reports throughput and latency like kafka-producer-perf-test.')
    .options(producerFlags(config))
    .epilog('Every flag can also come from the environment: PRODUCE_RATE=500 is --rate 500. Ctrl-C stops cleanly; a second Ctrl-C forces.');
  const options = toProducerOptions(await describeExamples(cli).parseAsync());
  const level = options.verbose ? 'debug' : options.quiet ? 'warn' : config.logLevel;
  const log = createRootLogger({ level }).child({ component: 'producer' });
  setRootLogger(log);
  return runProducer(options, log, level);
});
