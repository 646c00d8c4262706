/** npm run kafka:fetch — download the Kafka jars now (before a workshop without network, or in CI). */
import { hideBin } from 'yargs/helpers';
import { createCli, runCli } from '../shared/cli.js';
import { settings } from '../shared/config.js';
import { ExitCodes } from '../shared/errors.js';
import { getLogger } from '../shared/logger.js';
import { installShutdown } from '../shared/shutdown.js';
import { homePaths, kafkaVersion } from './layout.js';
import { ensureJars } from './prerequisites.js';

await runCli(async () => {
  await createCli(hideBin(process.argv), { scriptName: 'npm run kafka:fetch --' })
    .usage(`Usage: npm run kafka:fetch\n\nCopies Kafka ${kafkaVersion} and its dependencies from Maven Central into .kafka/libs/ (once).`)
    .example('npm run kafka:fetch', 'fetch now; kafka:up then starts without the network')
    .parseAsync();
  const paths = homePaths(settings().kafkaHome);
  const log = getLogger('kafka-fetch');
  // A Ctrl-C stops Maven and removes what it had copied (exit 130): no half-filled folder stays behind.
  const shutdown = installShutdown({ log, graceMs: 10_000 });
  try {
    const outcome = await ensureJars(paths, log, { signal: shutdown.signal });
    console.log(outcome === 'fetched' ? `Fetched Kafka ${kafkaVersion} into ${paths.libs}.` : `Kafka ${kafkaVersion} jars are already in ${paths.libs}.`);
    return ExitCodes.ok;
  } finally {
    shutdown.dispose();
  }
});
