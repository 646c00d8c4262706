/** npm run kafka:down — stop exactly the broker processes kafka:up started. */
import { hideBin } from 'yargs/helpers';
import { settings } from '../shared/config.js';
import { createCli, requireInteger, runCli } from '../shared/cli.js';
import { UsageError } from '../shared/errors.js';
import { getLogger } from '../shared/logger.js';
import { runDown } from './broker-control.js';

await runCli(async () => {
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run kafka:down --' })
    .usage('Usage: npm run kafka:down -- [--wipe | --node N]\n\nStops the broker processes started by kafka:up (by pid file, never by name).')
    .options({
      wipe: { type: 'boolean', default: false, describe: "Also delete the broker's data and logs (the downloaded jars stay)" },
      node: { type: 'number', describe: 'Stop only this node of a local cluster, to watch the others take over' },
    })
    .example('npm run kafka:down', 'stop the broker, keep its topics for the next kafka:up')
    .example('npm run kafka:down -- --wipe', 'stop it and start from scratch next time')
    .example('npm run kafka:down -- --node 2', 'in a 3-node cluster, stop node 2 only (kafka:up brings it back)')
    .parseAsync();
  const node = argv.node === undefined ? undefined : requireInteger('node', argv.node, 1, 9);
  if (node !== undefined && argv.wipe) throw new UsageError("--node stops one node and keeps every node's data: use it without --wipe");
  return runDown({ wipe: argv.wipe, node }, settings(), getLogger('kafka-down'));
});
