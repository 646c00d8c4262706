/**
 * npm run bench:admin — one admin server running 100 consumers (100 one-partition topics, a group
 * each), then GET /api/consumers at a fixed 500 requests/s with autocannon, and GET /healthz (a
 * constant) under the same load right after, as the floor the machine allows. Prints the server's
 * RSS and the request latency percentiles of both (--json: one object).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { hideBin } from 'yargs/helpers';
import { createCli, requireInteger, runCli } from '../../shared/cli.js';
import { settings } from '../../shared/config.js';
import { ErrorCodes, ExitCodes, HarnessError } from '../../shared/errors.js';
import { connectClient, createKafka, createProducer } from '../../shared/kafka-client.js';
import { getLogger } from '../../shared/logger.js';
import { distPath } from '../../shared/paths.js';
import { processTree } from './lib/measure.js';

function residentMiB(pid: number): number {
  return Math.round(
    processTree(pid).reduce((sum, each) => {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${each}/status`, 'utf8'));
      return sum + Number(match?.[1] ?? 0);
    }, 0) / 1024,
  );
}

await runCli(async () => {
  const config = settings();
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run bench:admin --' })
    .usage('Usage: npm run bench:admin -- [--quick] [--json]\n\n100 consumers in one admin server; GET /api/consumers at 500 requests/s.')
    .options({
      consumers: { type: 'number', default: 100, describe: 'Consumers (each on its own one-partition topic)' },
      rate: { type: 'number', default: 500, describe: 'Requests per second' },
      seconds: { type: 'number', default: 30, describe: 'How long the load lasts' },
      quick: { type: 'boolean', default: false, describe: '10 s of load' },
      'cpu-prof': { type: 'string', describe: "Write the server's CPU profile (node --cpu-prof) into this folder" },
      json: { type: 'boolean', default: false, describe: 'Print the results as one JSON object' },
    })
    .parseAsync();
  const consumers = requireInteger('consumers', argv.consumers, 1, 1_000);
  const rate = requireInteger('rate', argv.rate, 1, 100_000);
  const seconds = argv.quick ? 10 : requireInteger('seconds', argv.seconds, 1, 3_600);
  const brokers = config.brokers;
  const log = getLogger('bench-admin');
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);

  const admin = createKafka({ clientId: 'bench-admin', brokers, log }).admin();
  await connectClient(admin, brokers);
  const prefix = `bench-admin-${randomUUID().slice(0, 8)}`;
  const topics = Array.from({ length: consumers }, (_, index) => `${prefix}-${index}`);
  const dir = await mkdtemp(join(tmpdir(), 'bench-admin-'));
  const port = 18_000 + Math.floor(Math.random() * 1_000);
  const url = `http://127.0.0.1:${port}`;
  const profileFlags = argv['cpu-prof'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${argv['cpu-prof']}`];
  const server = spawn(process.execPath, [...profileFlags, distPath('consumer/admin/cli.js')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      ADMIN_PORT: String(port),
      ADMIN_STATE_FILE: join(dir, 'state.json'),
      OUTPUT_DIR: join(dir, 'output'),
      ADMIN_MAX_CONSUMERS: String(consumers),
      LOG_LEVEL: 'warn',
    },
  });
  let serverLog = '';
  server.stderr.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => server.once('close', resolve));

  try {
    progress(`creating ${consumers} topics…`);
    await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })) });
    for (let waited = 0; !/Admin server on/.test(serverLog); waited += 100) {
      if (waited > 30_000) throw new HarnessError(ErrorCodes.runtime, `the admin server did not start: ${serverLog.trim().split('\n').pop()}`);
      await sleep(100);
    }

    progress(`creating ${consumers} consumers…`);
    for (const [index, topic] of topics.entries()) {
      const response = await fetch(`${url}/api/consumers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `c${index}`, topic, group: `${topic}-group`, sinks: [{ type: 'file', path: `c${index}.jsonl` }] }),
      });
      if (response.status !== 201) throw new HarnessError(ErrorCodes.runtime, `creating consumer ${index} failed: ${response.status} ${await response.text()}`);
    }
    const producer = createProducer(createKafka({ clientId: 'bench-admin-producer', brokers, log }));
    await producer.connect();
    await producer.sendBatch({
      topicMessages: topics.map((topic) => ({ topic, messages: Array.from({ length: 20 }, (_, index) => ({ value: JSON.stringify({ n: index }) })) })),
    });
    await producer.disconnect();
    for (let waited = 0; ; waited += 500) {
      const list = (await (await fetch(`${url}/api/consumers`)).json()) as { status: string; stats: { processed: number } }[];
      if (list.every((consumer) => consumer.status === 'ACTIVE' && consumer.stats.processed === 20)) break;
      if (waited > 120_000) throw new HarnessError(ErrorCodes.runtime, 'not every consumer processed its messages within 2 minutes');
      await sleep(500);
    }
    const idleRssMiB = residentMiB(server.pid as number);

    let peakRssMiB = idleRssMiB;
    const sampler = setInterval(() => (peakRssMiB = Math.max(peakRssMiB, residentMiB(server.pid as number))), 250);
    const load = async (path: string) => {
      progress(`GET ${path} at ${rate} requests/s for ${seconds} s…`);
      const result = await autocannon({ url: `${url}${path}`, connections: 10, overallRate: rate, duration: seconds });
      return {
        requests: result.requests.total,
        requestsPerSec: result.requests.average,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        bytesPerResponse: Math.round(result.throughput.total / Math.max(1, result.requests.total)),
        latency: { p50Ms: result.latency.p50, p90Ms: result.latency.p90, p99Ms: result.latency.p99, p999Ms: result.latency.p99_9, maxMs: result.latency.max },
      };
    };
    const list = await load('/api/consumers');
    const runtime = (await (await fetch(`${url}/api/runtime`)).json()) as { event_loop_delay_ms: Record<string, number> };
    // The same load on a constant: what the machine, Node and Express cost before the route does anything.
    const healthz = await load('/healthz');
    clearInterval(sampler);
    const ratioToHealthz = Math.round((list.latency.p99Ms / Math.max(healthz.latency.p99Ms, 1)) * 100) / 100;
    const figures = {
      consumers,
      rate,
      seconds,
      ...list,
      healthz,
      ratioToHealthz,
      idleRssMiB,
      peakRssMiB,
      serverEventLoopDelayMs: runtime.event_loop_delay_ms,
    };
    if (argv.json) {
      console.log(JSON.stringify(figures));
    } else {
      const line = (path: string, run: typeof list): string =>
        `GET ${path} (${run.bytesPerResponse} bytes each) at ${rate}/s for ${seconds} s: ${run.requests} requests, ${run.non2xx} non-2xx, ${run.errors} errors; ` +
        `latency p50 ${run.latency.p50Ms} ms, p90 ${run.latency.p90Ms} ms, p99 ${run.latency.p99Ms} ms, p99.9 ${run.latency.p999Ms} ms, max ${run.latency.maxMs} ms`;
      console.log(
        `${consumers} consumers in one server: RSS ${idleRssMiB} MiB idle, ${peakRssMiB} MiB peak under load; event-loop delay p99 ${runtime.event_loop_delay_ms.p99} ms, max ${runtime.event_loop_delay_ms.max} ms`,
      );
      console.log(line('/api/consumers', list));
      console.log(line('/healthz', healthz));
      console.log(`p99 /api/consumers / p99 /healthz: ${ratioToHealthz}×`);
    }
    return ExitCodes.ok;
  } finally {
    server.kill('SIGINT');
    await exited;
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
});
