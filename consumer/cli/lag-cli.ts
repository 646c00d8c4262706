/** npm run lag — a consumer group's lag, with the columns of kafka-consumer-groups --describe; --watch redraws it. */
import { hideBin } from 'yargs/helpers';
import { brokersFlag, commandConfigFlag, createCli, runCli, userFlag } from '../../shared/cli.js';
import { userScoped } from '../../shared/names.js';
import { settings } from '../../shared/config.js';
import { ErrorCodes, ExitCodes, HarnessError, UsageError } from '../../shared/errors.js';
import { connectClient, createKafka } from '../../shared/kafka-client.js';
import { getLogger } from '../../shared/logger.js';
import { describeGroupLag } from '../engine/lag.js';
import { formatLag, isMissing, watchLag } from './lag-watch.js';
import { defaultGroup } from './options.js';

await runCli(async () => {
  const config = settings();
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run lag --' })
    .usage(
      'Usage: npm run lag -- -G <group> [-t <topic>] [--json] [--watch [--interval S]]\n\nShows how far a consumer group is behind, like kafka-consumer-groups --describe.',
    )
    .options({
      brokers: brokersFlag(config),
      'command-config': commandConfigFlag(),
      user: userFlag(config),
      group: { alias: 'G', type: 'string', default: defaultGroup, describe: 'Consumer group' },
      topic: { alias: 't', type: 'string', describe: 'Only this topic' },
      json: { type: 'boolean', default: false, describe: 'Print the rows as one JSON object (with --watch, one per line)' },
      watch: {
        alias: 'w',
        type: 'boolean',
        default: false,
        describe: 'Read again every --interval until Ctrl-C: in place on a terminal, a new table each time otherwise',
      },
      interval: { type: 'number', describe: 'Seconds between reads with --watch [default: 1]' },
    })
    .example('npm run lag', `the lag of ${defaultGroup}, the group npm run consume uses`)
    .example('npm run lag -- -G orders-service -t orders', 'one group, one topic')
    .example('npm run lag -- --watch', 'watch it drain while npm run consume runs in another terminal (Ctrl-C to stop)')
    .example('npm run -s lag -- --watch --interval 5 --json > lag.jsonl', 'a JSON line every 5 s, to plot later')
    .example('npm run -s lag -- --json | jq ".rows[].lag"', 'just the numbers')
    .parseAsync();
  if (argv.interval !== undefined && !argv.watch) throw new UsageError('--interval sets how often --watch reads: add --watch');
  const intervalSeconds = argv.interval ?? 1;
  if (!(intervalSeconds >= 0.1 && intervalSeconds <= 3_600)) throw new UsageError(`--interval must be between 0.1 and 3600 seconds (got ${argv.interval})`);
  const { brokers, user } = argv;
  const group = userScoped(user, argv.group);
  // yargs types a string flag without a default as string, though it is undefined when not given.
  const topicFlag: string | undefined = argv.topic;
  const topic = topicFlag === undefined ? undefined : userScoped(user, topicFlag);
  const log = getLogger('lag');

  if (argv.watch) {
    // A broker that stops answering is shown in the view; KafkaJS's retry logs would only scroll it away.
    const quiet = log.child({}, { level: 'silent' });
    const makeAdmin = () => createKafka({ clientId: userScoped(user, 'harness-lag'), brokers, log: quiet }).admin();
    return watchLag({ makeAdmin, brokers, group, topic, intervalMs: intervalSeconds * 1000, json: argv.json, log });
  }

  const admin = createKafka({ clientId: userScoped(user, 'harness-lag'), brokers, log }).admin();
  await connectClient(admin, brokers);
  try {
    const lag = await describeGroupLag(admin, group, topic);
    if (isMissing(lag)) throw new HarnessError(ErrorCodes.runtime, `consumer group "${group}" does not exist (no members, no committed offsets)`);
    console.log(argv.json ? JSON.stringify(lag) : formatLag(lag));
    return ExitCodes.ok;
  } finally {
    await admin.disconnect();
  }
});
