/**
 * npm run bench:soak — a long run at a steady rate, watching for leaks: the producer at 2,000
 * messages/s, a 3-process consumer writing files, and an admin server running 10 file-sink consumers
 * in groups of their own, all on one topic. Every 10 s: the resident memory of each process tree,
 * its open file descriptors, and the admin's active handles and event-loop delay (/api/runtime).
 * Pass: after the warm-up no process grows by more than 10 %, handles and descriptors stay flat,
 * and every consumer's files hold each acknowledged record exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { hideBin } from 'yargs/helpers';
import { describeGroupLag } from '../../consumer/engine/lag.js';
import { createCli, requireInteger, runCli } from '../../shared/cli.js';
import { settings } from '../../shared/config.js';
import { ErrorCodes, ExitCodes, HarnessError } from '../../shared/errors.js';
import { connectClient, createKafka } from '../../shared/kafka-client.js';
import { getLogger } from '../../shared/logger.js';
import { distPath, projectRoot } from '../../shared/paths.js';
import { processTree } from './lib/measure.js';
import { anyFreePort } from '../../kafka/testing/free-ports.js';

const processNames = ['producer', 'consumer', 'admin'] as const;
type ProcessName = (typeof processNames)[number];

interface ProcessSample {
  rssMiB: number;
  fds: number;
}

interface Sample {
  atSeconds: number;
  processes: Record<ProcessName, ProcessSample | null>;
  /** From the admin's /api/runtime. */
  adminHandles: number | null;
  adminDelayP99Ms: number | null;
  adminDelayMaxMs: number | null;
}

function statusKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0; // exited between the listing and the read
  }
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** RSS and descriptors of a process and its children; null once it has exited. */
function sampleTree(child: ChildProcess): ProcessSample | null {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return null;
  const pids = processTree(child.pid);
  const kib = pids.reduce((sum, pid) => sum + statusKiB(pid), 0);
  return { rssMiB: Math.round(kib / 102.4) / 10, fds: pids.reduce((sum, pid) => sum + fdCount(pid), 0) };
}

interface Started {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  exited: Promise<number | null>;
}

function start(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Started {
  const child = spawn(process.execPath, [distPath(script), ...args], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  // Only the tail: a 30-minute run must not keep every warning in memory.
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
  };
}

/** Distinct (partition, offset) records and lines in a folder of envelope files. */
async function countRecords(dir: string, files: readonly string[]): Promise<{ distinct: number; lines: number }> {
  const seen = new Map<number, Uint8Array>();
  let distinct = 0;
  let lines = 0;
  const pattern = /"partition":(\d+),"offset":(\d+)/;
  for (const file of files) {
    const reader = createInterface({ input: createReadStream(join(dir, file)), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of reader) {
      const match = pattern.exec(line.slice(0, 400));
      if (!match) continue;
      lines += 1;
      const partition = Number(match[1]);
      const offset = Number(match[2]);
      let bits = seen.get(partition);
      if (!bits || bits.length * 8 <= offset) {
        const grown = new Uint8Array(Math.max(1 << 16, (offset >> 3) * 2 + 1));
        if (bits) grown.set(bits);
        bits = grown;
        seen.set(partition, bits);
      }
      const mask = 1 << (offset & 7);
      if (((bits[offset >> 3] ?? 0) & mask) === 0) {
        bits[offset >> 3] = (bits[offset >> 3] ?? 0) | mask;
        distinct += 1;
      }
    }
  }
  return { distinct, lines };
}

const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

interface Verdict {
  name: string;
  baseline: number;
  final: number;
  growthPercent: number;
  pass: boolean;
}

/** Mean of the samples in the minute after the warm-up against the mean of the last minute's. */
function growth(
  name: string,
  samples: readonly Sample[],
  pick: (sample: Sample) => number | null,
  warmupSeconds: number,
  limit: (base: number) => number,
): Verdict {
  const last = samples.at(-1)?.atSeconds ?? 0;
  const values = (from: number, to: number): number[] =>
    samples.filter((sample) => sample.atSeconds >= from && sample.atSeconds <= to).flatMap((sample) => pick(sample) ?? []);
  const baseline = mean(values(warmupSeconds, warmupSeconds + 60));
  const final = mean(values(last - 60, last));
  const round = (value: number): number => Math.round(value * 10) / 10;
  return {
    name,
    baseline: round(baseline),
    final: round(final),
    growthPercent: baseline ? round((final / baseline - 1) * 100) : 0,
    pass: final <= limit(baseline),
  };
}

/** A line chart of RSS per process over time, as plain SVG. */
function chart(samples: readonly Sample[]): string {
  const width = 720;
  const height = 320;
  const left = 56;
  const bottom = 36;
  const colours: Record<ProcessName, string> = { producer: '#1f77b4', consumer: '#2ca02c', admin: '#d62728' };
  const maxSeconds = Math.max(60, samples.at(-1)?.atSeconds ?? 60);
  const maxMiB = Math.max(50, ...samples.flatMap((sample) => processNames.map((name) => sample.processes[name]?.rssMiB ?? 0))) * 1.1;
  const x = (seconds: number): number => left + (seconds / maxSeconds) * (width - left - 10);
  const y = (mib: number): number => height - bottom - (mib / maxMiB) * (height - bottom - 10);
  const lines = processNames.map((name) => {
    const points = samples.flatMap((sample) => {
      const value = sample.processes[name]?.rssMiB;
      return value === undefined ? [] : [`${x(sample.atSeconds).toFixed(1)},${y(value).toFixed(1)}`];
    });
    return `<polyline fill="none" stroke="${colours[name]}" stroke-width="1.5" points="${points.join(' ')}"/>`;
  });
  const ticks = Array.from({ length: 5 }, (_, index) => (maxMiB / 4) * index);
  const minutes = Math.max(1, Math.round(maxSeconds / 60));
  const timeTicks = Array.from({ length: 6 }, (_, index) => Math.round((minutes / 5) * index));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11" role="img">`,
    '<title>RSS of the producer, consumer and admin process trees over the soak run</title>',
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...ticks.map(
      (mib) =>
        `<line x1="${left}" x2="${width - 10}" y1="${y(mib).toFixed(1)}" y2="${y(mib).toFixed(1)}" stroke="#ddd"/><text x="${left - 6}" y="${(y(mib) + 4).toFixed(1)}" text-anchor="end">${Math.round(mib)}</text>`,
    ),
    ...timeTicks.map((minute) => `<text x="${x(minute * 60).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${minute}</text>`),
    `<text x="${(left + width) / 2}" y="${height - 4}" text-anchor="middle">minutes</text>`,
    `<text x="12" y="${height / 2}" transform="rotate(-90 12 ${height / 2})" text-anchor="middle">RSS (MiB, process tree)</text>`,
    ...lines,
    ...processNames.map((name, index) => `<text x="${left + 10 + index * 110}" y="20" fill="${colours[name]}">— ${name}</text>`),
    '</svg>',
    '',
  ].join('\n');
}

await runCli(async () => {
  const config = settings();
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run bench:soak --' })
    .usage(
      'Usage: npm run bench:soak -- [--minutes 30] [--write-results]\n\nProducer, 3-process consumer and an admin server with 10 consumers at 2,000 messages/s; memory, handles and losses watched.',
    )
    .options({
      minutes: { type: 'number', default: 30, describe: 'How long the producer runs' },
      rate: { type: 'number', default: 2_000, describe: 'Messages per second' },
      consumers: { type: 'number', default: 10, describe: 'Consumers in the admin server' },
      'interval-seconds': { type: 'number', default: 10, describe: 'Seconds between samples' },
      'write-results': { type: 'boolean', default: false, describe: 'Write test/bench/SOAK.md and test/bench/soak.svg' },
    })
    .example('npm run bench:soak -- --minutes 2', 'a quick look')
    .parseAsync();
  const minutes = requireInteger('minutes', argv.minutes, 1, 24 * 60);
  const rate = requireInteger('rate', argv.rate, 1, 100_000);
  const consumers = requireInteger('consumers', argv.consumers, 1, 50);
  const intervalSeconds = requireInteger('interval-seconds', argv['interval-seconds'], 1, 600);
  // Heaps and connection pools settle in the first minutes; growth is measured from there.
  const warmupSeconds = Math.min(300, Math.floor((minutes * 60) / 2));
  const brokers = config.brokers;
  const log = getLogger('bench-soak');
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);

  const kafka = createKafka({ clientId: 'bench-soak', brokers, log });
  const admin = kafka.admin();
  await connectClient(admin, brokers);
  const id = randomUUID().slice(0, 8);
  const topic = `soak-${id}`;
  const consumerGroup = `soak-${id}-cli`;
  const adminGroups = Array.from({ length: consumers }, (_, index) => `soak-${id}-admin-${index}`);
  const dir = await mkdtemp(join(tmpdir(), 'bench-soak-'));
  const started: Started[] = [];
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6, replicationFactor: 1 }] });
    const port = await anyFreePort('127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    const adminServer = start('consumer/admin/cli.js', [], {
      ADMIN_PORT: String(port),
      ADMIN_STATE_FILE: join(dir, 'state.json'),
      OUTPUT_DIR: join(dir, 'admin'),
    });
    started.push(adminServer);
    for (let waited = 0; !/Admin server on/.test(adminServer.stderr); waited += 100) {
      if (waited > 30_000 || adminServer.child.exitCode !== null)
        throw new HarnessError(ErrorCodes.runtime, `the admin server did not start: ${adminServer.stderr.trim()}`);
      await sleep(100);
    }
    for (const [index, group] of adminGroups.entries()) {
      const response = await fetch(`${url}/api/consumers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `soak-${index}`, topic, group, sinks: [{ type: 'file', path: `c${index}/orders.jsonl` }] }),
      });
      if (response.status !== 201) throw new HarnessError(ErrorCodes.runtime, `creating consumer ${index} failed: ${response.status} ${await response.text()}`);
    }
    const consumer = start('consumer/cli/cli.js', ['-b', brokers.join(','), '-t', topic, '-G', consumerGroup, '-p', '3', '--out-dir', join(dir, 'cli'), '-q']);
    started.push(consumer);
    const producer = start('producer/cli.js', [
      '-b',
      brokers.join(','),
      '-t',
      topic,
      '-r',
      String(rate),
      '--duration',
      String(minutes * 60),
      '--idempotent',
      '--json',
      '-q',
    ]);
    started.push(producer);
    const byName: Record<ProcessName, Started> = { producer, consumer, admin: adminServer };
    progress(`soak: ${rate} messages/s to ${topic} for ${minutes} min; files in ${dir}`);

    const samples: Sample[] = [];
    const startedAt = performance.now();
    const sample = async (): Promise<void> => {
      const runtime = (await fetch(`${url}/api/runtime`)
        .then((response) => response.json())
        .catch(() => null)) as { active_handles: Record<string, number>; event_loop_delay_ms: { p99: number; max: number } } | null;
      const processes = Object.fromEntries(processNames.map((name) => [name, sampleTree(byName[name].child)])) as Record<ProcessName, ProcessSample | null>;
      samples.push({
        atSeconds: Math.round((performance.now() - startedAt) / 1000),
        processes,
        adminHandles: runtime ? Object.values(runtime.active_handles).reduce((a, b) => a + b, 0) : null,
        adminDelayP99Ms: runtime?.event_loop_delay_ms.p99 ?? null,
        adminDelayMaxMs: runtime?.event_loop_delay_ms.max ?? null,
      });
      const last = samples.at(-1);
      if (last && samples.length % Math.max(1, Math.round(60 / intervalSeconds)) === 0) {
        progress(
          `${Math.round(last.atSeconds / 60)} min: ${processNames.map((name) => `${name} ${last.processes[name]?.rssMiB ?? '-'} MiB/${last.processes[name]?.fds ?? '-'} fds`).join(', ')}; admin handles ${last.adminHandles}, delay p99 ${last.adminDelayP99Ms} ms`,
        );
      }
    };
    let producerDone = false;
    void producer.exited.then(() => (producerDone = true));
    for (const watched of [consumer, adminServer]) {
      void watched.exited.then((code) => {
        if (!producerDone) progress(`soak: a process exited early (${code}): ${watched.stderr.trim().split('\n').pop()}`);
      });
    }
    while (!producerDone) {
      await sample();
      await Promise.race([sleep(intervalSeconds * 1000), producer.exited]);
    }
    const producerCode = await producer.exited;
    const report = JSON.parse(producer.stdout.trim().split('\n').pop() ?? '{}') as { acknowledged?: number; failed?: number; unconfirmed?: number };
    const acknowledged = report.acknowledged ?? 0;
    progress(`soak: producer exited ${producerCode}, ${acknowledged} acknowledged; waiting for the consumers to catch up…`);

    // Caught up when every group has committed up to the end of every partition.
    const groups = [consumerGroup, ...adminGroups];
    for (let waited = 0; ; waited += 1_000) {
      const behind = await Promise.all(
        groups.map(async (group) => (await describeGroupLag(admin, group, topic)).rows.reduce((sum, row) => sum + (row.lag ?? row.logEndOffset), 0)),
      );
      if (behind.every((lag) => lag === 0)) break;
      if (waited > 180_000) {
        progress(`soak: still behind after 3 minutes: ${behind.join(', ')}`);
        break;
      }
      await sleep(1_000);
    }
    consumer.child.kill('SIGINT');
    adminServer.child.kill('SIGINT');
    const [consumerCode, adminCode] = await Promise.all([consumer.exited, adminServer.exited]);

    const counts: { name: string; distinct: number; lines: number }[] = [];
    counts.push({
      name: 'consume CLI (3 processes)',
      ...(await countRecords(
        join(dir, 'cli'),
        readdirSync(join(dir, 'cli')).filter((file) => file.endsWith('.jsonl')),
      )),
    });
    for (let index = 0; index < consumers; index++) {
      counts.push({ name: `admin consumer ${index}`, ...(await countRecords(join(dir, 'admin', `c${index}`), ['orders.jsonl'])) });
    }

    const rssVerdicts = processNames.map((name) =>
      growth(
        `${name} RSS (MiB)`,
        samples,
        (each) => each.processes[name]?.rssMiB ?? null,
        warmupSeconds,
        (base) => base * 1.1,
      ),
    );
    // Descriptors and handles come and go with connections: flat means no trend beyond a few.
    const flat = (base: number): number => base * 1.1 + 2;
    const handleVerdicts = [
      ...processNames.map((name) => growth(`${name} open fds`, samples, (each) => each.processes[name]?.fds ?? null, warmupSeconds, flat)),
      growth('admin active handles', samples, (each) => each.adminHandles, warmupSeconds, flat),
    ];
    const lossVerdicts = counts.map((count) => ({ ...count, pass: count.distinct === acknowledged && count.lines === count.distinct }));
    const exitsPass = producerCode === 0 && consumerCode === 0 && adminCode === 0 && (report.failed ?? 0) === 0 && (report.unconfirmed ?? 0) === 0;
    const pass = exitsPass && [...rssVerdicts, ...handleVerdicts, ...lossVerdicts].every((verdict) => verdict.pass);
    const delays = samples.flatMap((each) => each.adminDelayP99Ms ?? []);

    const table = (verdicts: readonly Verdict[]): string[] => [
      '| Measure | Baseline | Final | Growth | Verdict |',
      '| ------- | -------: | ----: | -----: | ------- |',
      ...verdicts.map(
        (verdict) => `| ${verdict.name} | ${verdict.baseline} | ${verdict.final} | ${verdict.growthPercent} % | ${verdict.pass ? 'pass' : 'FAIL'} |`,
      ),
    ];
    const perMinute = samples.filter((_, index) => index % Math.max(1, Math.round(60 / intervalSeconds)) === 0 || index === samples.length - 1);
    const lines = [
      '# Soak run',
      '',
      `\`npm run bench:soak -- --minutes ${minutes}\`: ${rate} messages/s for ${minutes} min (idempotent producer, ${acknowledged.toLocaleString('en-US')} acknowledged) into one 6-partition topic,`,
      `read by \`npm run consume\` with 3 processes (file sink) and by an admin server running ${consumers} file-sink consumers, each in its own group.`,
      `Sampled every ${intervalSeconds} s (${samples.length} samples) on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, a 2-core machine shared with other work.`,
      '',
      `Verdict: **${pass ? 'pass' : 'FAIL'}**. Baseline = mean of the minute after a ${warmupSeconds / 60}-minute warm-up; final = mean of the last minute.`,
      'RSS may grow by at most 10 %; descriptors and handles by at most 10 % + 2.',
      '',
      ...table(rssVerdicts),
      '',
      ...table(handleVerdicts),
      '',
      `Admin event-loop delay p99: median ${delays.length ? [...delays].sort((a, b) => a - b)[Math.floor(delays.length / 2)] : '-'} ms, worst ${delays.length ? Math.max(...delays) : '-'} ms over the run; max ${samples.at(-1)?.adminDelayMaxMs ?? '-'} ms.`,
      '',
      '| Consumer | Distinct records in its files | Lines | Acknowledged | Verdict |',
      '| -------- | ----------------------------: | ----: | -----------: | ------- |',
      ...lossVerdicts.map((count) => `| ${count.name} | ${count.distinct} | ${count.lines} | ${acknowledged} | ${count.pass ? 'pass' : 'FAIL'} |`),
      '',
      `Exit codes: producer ${producerCode}, consumer ${consumerCode}, admin ${adminCode}; producer failed ${report.failed ?? '-'}, unconfirmed ${report.unconfirmed ?? '-'}.`,
      'Records are counted by (partition, offset): with an idempotent producer on a fresh topic each acknowledged message is exactly one record.',
      '',
      '![RSS per process tree](soak.svg)',
      '',
      '| Minute | Producer MiB / fds | Consumer (3 children) MiB / fds | Admin MiB / fds | Admin handles | Admin delay p99 ms |',
      '| -----: | -----------------: | ------------------------------: | --------------: | ------------: | -----------------: |',
      ...perMinute.map(
        (each) =>
          `| ${(each.atSeconds / 60).toFixed(1)} | ${processNames.map((name) => (each.processes[name] ? `${each.processes[name]?.rssMiB} / ${each.processes[name]?.fds}` : '-')).join(' | ')} | ${each.adminHandles ?? '-'} | ${each.adminDelayP99Ms ?? '-'} |`,
      ),
      '',
    ];
    console.log(lines.join('\n'));
    if (argv['write-results']) {
      await writeFile(join(projectRoot, 'test/bench/SOAK.md'), lines.join('\n'));
      await writeFile(join(projectRoot, 'test/bench/soak.svg'), chart(samples));
      progress('soak: wrote test/bench/SOAK.md and test/bench/soak.svg');
    }
    return pass ? ExitCodes.ok : ExitCodes.failure;
  } finally {
    for (const each of started) if (each.child.exitCode === null && each.child.signalCode === null) each.child.kill('SIGKILL');
    await Promise.all(started.map((each) => each.exited));
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.deleteGroups([consumerGroup, ...adminGroups]).catch(() => {});
    await admin.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
});
