/** npm run kafka:up — start a real Kafka broker (or a 3-node cluster) and create test-topic. */
import { hideBin } from 'yargs/helpers';
import { settings } from '../shared/config.js';
import { createCli, requireInteger, runCli } from '../shared/cli.js';
import { getLogger } from '../shared/logger.js';
import { allowedRequestedRuntimes, type RequestedRuntime } from './broker-selection.js';
import { parseAdvertisedHost } from './layout.js';
import { runUp } from './broker-control.js';

await runCli(async () => {
  const config = settings();
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run kafka:up --' })
    .usage('Usage: npm run kafka:up -- [options]\n\nStarts Apache Kafka (KRaft) and creates the topic. Run again: it says the broker is already up.')
    .options({
      nodes: { type: 'number', describe: "Nodes in the cluster (client ports 9092, 9093, …); default: the existing cluster's, or 1" },
      port: { type: 'number', describe: "Client port of the first node; controllers listen 10000 above. Default: the existing cluster's, or 9092" },
      runtime: {
        choices: allowedRequestedRuntimes,
        default: 'auto' as RequestedRuntime,
        describe: 'auto: KAFKA_BROKERS, else a local JVM cluster set up here or needed by --nodes/--port, else Docker, else the local JVM',
      },
      timeout: { type: 'number', default: 90, describe: 'Seconds to wait for the broker to answer' },
      topic: { alias: 't', type: 'string', default: config.topic, describe: 'Topic to create if missing (KAFKA_TOPIC)' },
      partitions: { type: 'number', default: 6, describe: 'Partitions of that topic when it is created' },
      advertise: {
        type: 'string',
        describe:
          'A name or address other machines reach this one by: the brokers listen on every interface and give that name to clients (a shared cluster for a room). Default: 127.0.0.1 only',
        coerce: (text: string | undefined): string | undefined => (text === undefined ? undefined : parseAdvertisedHost(text)),
      },
      secure: {
        type: 'boolean',
        describe:
          'Also a SASL_SSL listener (SCRAM-SHA-512/256, PLAIN; user alice) and an SSL one requiring a client certificate, right after the plaintext ports: 9093 and 9094 for one node',
      },
    })
    .example('npm run kafka:up', 'one broker on 127.0.0.1:9092 with test-topic (6 partitions)')
    .example('npm run kafka:up -- --nodes 3', '3 nodes on 9092-9094; test-topic replicated 3 ways, min.insync.replicas=2')
    .example('npm run kafka:up -- --port 12092', 'the same on other ports, when 9092 is taken')
    .example('npm run kafka:up -- --nodes 3 --advertise 192.168.1.10', "a room's cluster: learners set KAFKA_BROKERS=192.168.1.10:9092")
    .example('npm run kafka:up -- --secure', 'and SASL_SSL on 9093, SSL with a client certificate on 9094; prints the variables a client exports')
    .epilog(
      'Stop it with npm run kafka:down (add -- --wipe to delete its data). Files live in .kafka/ (KAFKA_HARNESS_HOME).\n' +
        'Ctrl-C before the broker answers stops the nodes this run started (exit 130); once it answers, it keeps running.',
    )
    .parseAsync();
  return runUp(
    {
      runtime: argv.runtime,
      nodes: argv.nodes === undefined ? undefined : requireInteger('nodes', argv.nodes, 1, 9),
      basePort: argv.port === undefined ? undefined : requireInteger('port', argv.port, 1024, 55_535),
      timeoutMs: requireInteger('timeout', argv.timeout, 1, 3600) * 1000,
      topic: argv.topic,
      partitions: requireInteger('partitions', argv.partitions, 1, 10_000),
      secure: argv.secure,
      advertise: argv.advertise,
    },
    config,
    getLogger('kafka-up'),
  );
});
