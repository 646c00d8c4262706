/** npm run lag — a consumer group's lag, with the columns of kafka-consumer-groups --describe. */
import { hideBin } from 'yargs/helpers';
import { brokersFlag, commandConfigFlag, createCli, runCli, userFlag } from '../../shared/cli.js';
import { userScoped } from '../../shared/names.js';
import { settings } from '../../shared/config.js';
import { ErrorCodes, ExitCodes, HarnessError } from '../../shared/errors.js';
import { connectClient, createKafka } from '../../shared/kafka-client.js';
import { getLogger } from '../../shared/logger.js';
import { formatTable } from '../../shared/table.js';
import { describeGroupLag } from '../engine/lag.js';
import { defaultGroup } from './options.js';

await runCli(async () => {
  const config = settings();
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run lag --' })
    .usage('Usage: npm run lag -- -G <group> [-t <topic>] [--json]\n\nShows how far a consumer group is behind, like kafka-consumer-groups --describe.')
    .options({
      brokers: brokersFlag(config),
      'command-config': commandConfigFlag(),
      user: userFlag(config),
      group: { alias: 'G', type: 'string', default: defaultGroup, describe: 'Consumer group' },
      topic: { alias: 't', type: 'string', describe: 'Only this topic' },
      json: { type: 'boolean', default: false, describe: 'Print the rows as one JSON object' },
    })
    .example('npm run lag', `the lag of ${defaultGroup}, the group npm run consume uses`)
    .example('npm run lag -- -G orders-service -t orders', 'one group, one topic')
    .example('npm run -s lag -- --json | jq ".rows[].lag"', 'just the numbers')
    .parseAsync();
  const { brokers, user } = argv;
  const group = userScoped(user, argv.group);
  const topic = argv.topic === undefined ? undefined : userScoped(user, argv.topic);
  const admin = createKafka({ clientId: userScoped(user, 'harness-lag'), brokers, log: getLogger('lag') }).admin();
  await connectClient(admin, brokers);
  try {
    const lag = await describeGroupLag(admin, group, topic);
    if (lag.state === 'Dead' && lag.rows.length === 0) {
      throw new HarnessError(ErrorCodes.runtime, `consumer group "${group}" does not exist (no members, no committed offsets)`);
    }
    if (argv.json) {
      console.log(JSON.stringify(lag));
      return ExitCodes.ok;
    }
    if (lag.state === 'Empty') console.log(`Consumer group '${group}' has no active members.\n`);
    const dash = (value: number | string | null): string => (value === null ? '-' : String(value));
    console.log(
      formatTable(
        ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
        lag.rows.map((row) => [
          row.group,
          row.topic,
          row.partition,
          dash(row.currentOffset),
          row.logEndOffset,
          dash(row.lag),
          dash(row.consumerId),
          dash(row.host),
          dash(row.clientId),
        ]),
      ),
    );
    return ExitCodes.ok;
  } finally {
    await admin.disconnect();
  }
});
