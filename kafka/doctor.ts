/** npm run doctor — is this machine ready? One line per check, and the command that fixes each problem. */
import { hideBin } from 'yargs/helpers';
import { commandConfigFlag, createCli, requireInteger, runCli } from '../shared/cli.js';
import { settings } from '../shared/config.js';
import { ExitCodes } from '../shared/errors.js';
import { createRootLogger } from '../shared/logger.js';
import { runChecks } from './doctor-checks.js';
import { formatReport, isHealthy } from './doctor-report.js';
import { controllerPortOffset } from './layout.js';

await runCli(async () => {
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run doctor --' })
    .usage(
      'Usage: npm run doctor -- [--json]\n\nChecks Node.js, Java, Docker, the broker that would be used (does it answer, does it advertise an address this machine reaches), test-topic, ports 9092, 19092 and 8080 (--port moves the first two), free disk space and the Kafka jars. ✓ fine, ! worth a look, ✗ broken (with the command that fixes it), · for information. Exits 1 when anything is broken.',
    )
    .options({
      json: { type: 'boolean', default: false, describe: 'Print the checks as one JSON object on stdout' },
      'command-config': commandConfigFlag(),
      port: { type: 'number', default: 9092, describe: 'The client port npm run kafka:up would use (its --port); the controller port is 10,000 above' },
    })
    .example('npm run doctor', 'before a workshop, or when something fails')
    .example('KAFKA_BROKERS=host:9092 npm run doctor', 'check a broker of your own')
    .example('npm run doctor -- --port 12092', 'can kafka:up -- --port 12092 start?')
    .example('npm run -s doctor -- --json', 'the same checks as JSON')
    .parseAsync();
  // The probes' own logs (a refused connection) would only repeat what the check lines say.
  const clientPort = requireInteger('port', argv.port, 1024, 65_535 - controllerPortOffset);
  const results = await runChecks(settings(), createRootLogger({ level: 'silent' }), { clientPort });
  const healthy = isHealthy(results);
  console.log(argv.json ? JSON.stringify({ healthy, checks: results }) : formatReport(results));
  return healthy ? ExitCodes.ok : ExitCodes.failure;
});
