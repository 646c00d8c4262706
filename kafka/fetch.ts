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
    .usage(
      `Usage: npm run kafka:fetch\n\nDownloads Kafka ${kafkaVersion} and its dependencies (the jars pinned in kafka/jars.lock.json, each checked against its SHA-256) from Maven Central into .kafka/libs/, once. Only Java is needed; Maven is tried only when the direct download fails (it honours ~/.m2/settings.xml).`,
    )
    .example('npm run kafka:fetch', 'fetch now; kafka:up then starts without the network')
    .example('MAVEN_REPOSITORY_URL=https://nexus.example.com/repository/maven-public npm run kafka:fetch', 'from a mirror')
    .parseAsync();
  const paths = homePaths(settings().kafkaHome);
  const log = getLogger('kafka-fetch');
  // A Ctrl-C stops the downloads (or Maven) and removes what they had written (exit 130): no half-filled folder stays behind.
  const shutdown = installShutdown({ log, graceMs: 10_000 });
  try {
    const outcome = await ensureJars(paths, log, { signal: shutdown.signal });
    console.log(outcome === 'fetched' ? `Fetched Kafka ${kafkaVersion} into ${paths.libs}.` : `Kafka ${kafkaVersion} jars are already in ${paths.libs}.`);
    return ExitCodes.ok;
  } finally {
    shutdown.dispose();
  }
});
