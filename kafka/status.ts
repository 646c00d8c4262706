/** npm run kafka:status — nodes, process ids, ports and topics of the running broker. */
import { hideBin } from 'yargs/helpers';
import { settings } from '../shared/config.js';
import { createCli, runCli } from '../shared/cli.js';
import { getLogger } from '../shared/logger.js';
import { runStatus } from './broker-control.js';

await runCli(async () => {
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run kafka:status --' })
    .usage('Usage: npm run kafka:status -- [--json]\n\nShows nodes, process ids, ports and topics. Exits 1 when no broker answers.')
    .options({
      json: { type: 'boolean', default: false, describe: 'Print the status as one JSON object on stdout' },
    })
    .example('npm run kafka:status', 'a table of nodes and topics')
    .example('npm run -s kafka:status -- --json | jq .topics', 'the same as JSON')
    .parseAsync();
  return runStatus({ json: argv.json }, settings(), getLogger('kafka-status'));
});
