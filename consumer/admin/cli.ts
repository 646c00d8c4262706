/** npm run admin — the admin server (settings from ADMIN_* variables; see --help). */
import { hideBin } from 'yargs/helpers';
import { commandConfigFlag, createCli, runCli } from '../../shared/cli.js';
import { settings } from '../../shared/config.js';
import { readAdminSettings } from './settings.js';
import { ExitCodes } from '../../shared/errors.js';
import { getLogger } from '../../shared/logger.js';
import { installShutdown } from '../../shared/shutdown.js';
import { startAdminServer } from './server.js';
import { stopOnUnhandledRejection } from './unhandled-rejection.js';

await runCli(async () => {
  await createCli(hideBin(process.argv), { scriptName: 'npm run admin --' })
    .usage(
      [
        'Usage: npm run admin',
        '',
        'An Express server that creates, starts, pauses and stops consumers writing to files, PostgreSQL or HTTP.',
        'Dashboard on / , API docs on /docs, Prometheus metrics on /metrics.',
        '',
        'Settings (environment): ADMIN_HOST (127.0.0.1), ADMIN_PORT (8080), ADMIN_TOKEN (required beyond loopback),',
        'ADMIN_ALLOWED_HOSTS, ADMIN_STATE_FILE (.admin/state.json), OUTPUT_DIR (output), ADMIN_DATABASE_URL,',
        'ADMIN_HTTP_ALLOW (origins), ADMIN_BROKER_ALLOW, ADMIN_MAX_CONSUMERS (50), KAFKA_BROKERS.',
      ].join('\n'),
    )
    .epilog(
      [
        'With PostgreSQL sinks available:',
        '  ADMIN_DATABASE_URL=postgresql://127.0.0.1/test npm run admin',
        'A consumer writing test-topic to output/g1.jsonl, created over the API:',
        `  curl -X POST localhost:8080/api/consumers -H 'content-type: application/json' \\`,
        `    -d '{"topic":"test-topic","group":"g1","sinks":[{"type":"file","path":"g1.jsonl"}]}'`,
      ].join('\n'),
    )
    .options({ 'command-config': commandConfigFlag() })
    .example('npm run admin', 'on http://127.0.0.1:8080')
    .example('ADMIN_PORT=9000 npm run admin', 'on another port')
    .parseAsync();
  const base = settings();
  const admin = readAdminSettings();
  const log = getLogger('admin');

  // Trapped before the consumers are restored: a Ctrl-C while they start must still stop them cleanly.
  const shutdown = installShutdown({ log, graceMs: 45_000 });
  const rejections = stopOnUnhandledRejection(shutdown, log);
  try {
    const running = await startAdminServer(admin, base.brokers, log);
    if (!shutdown.requested) {
      log.info(
        { url: running.url, consumers: running.manager.list().length, outputDir: admin.outputDir, stateFile: admin.stateFile },
        'admin server listening',
      );
      process.stderr.write(`Admin server on ${running.url} (dashboard ${running.url}/ · docs ${running.url}/docs). Ctrl-C stops it and every consumer.\n`);
    }
    await shutdown.whenRequested;
    await running.close();
  } finally {
    rejections.dispose();
    shutdown.dispose();
  }
  if (rejections.failed) return ExitCodes.failure;
  log.info('admin server stopped; consumers flushed and committed, state saved');
  return ExitCodes.ok;
});
