/**
 * npm run test:bad-input — every kind of bad input a user can give, tried against the real commands
 * and a real admin server, with what came back: the exit code or HTTP status, the one line shown,
 * and a verdict. Pass means a clear one-line error with the right code, no stack trace, no crash,
 * no hang and nothing lost. Exits 1 if any verdict fails; --write-results writes BAD-INPUT.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer as createTlsServer } from 'node:tls';
import { hideBin } from 'yargs/helpers';
import { anyFreePort } from '../../kafka/testing/free-ports.js';
import { createCli, runCli } from '../../shared/cli.js';
import { settings } from '../../shared/config.js';
import { ExitCodes } from '../../shared/errors.js';
import { connectClient, createKafka, createProducer } from '../../shared/kafka-client.js';
import { getLogger } from '../../shared/logger.js';
import { distPath, projectRoot } from '../../shared/paths.js';

export interface Result {
  input: string;
  /** "exit 2", "HTTP 400"… */
  got: string;
  line: string;
  seconds: number;
  pass: boolean;
  why: string;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  timedOut: boolean;
}

function run(script: string, args: readonly string[], timeoutMs = 60_000, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [distPath(script), ...args], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_FORMAT: 'json', FORCE_COLOR: '0', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: Math.round((performance.now() - startedAt) / 100) / 10, timedOut });
    }),
  );
}

/** What a user reads: stderr lines that are not JSON log records. */
const shownLines = (stderr: string): string[] => stderr.split('\n').filter((line) => line.trim() && !line.startsWith('{'));
const stackTrace = (text: string): boolean => /^\s+at .+[(:]\d+/m.test(text) || /"stack":/.test(shownLines(text).join('\n'));

/** The verdict for a command: the expected exit code, one line shown, no stack, within the time. */
function judgeCli(input: string, result: Run, expected: number, withinSeconds: number, extra?: { ok: boolean; why: string }): Result {
  // A usage error is followed by the usage line (kcat's way), which is not a second error.
  const lines = shownLines(result.stderr).filter((line) => !(result.code === 2 && line.startsWith('Usage: ')));
  const problems: string[] = [];
  if (result.timedOut) problems.push('hung (killed)');
  if (result.code !== expected) problems.push(`exit ${result.code}, expected ${expected}`);
  if (expected !== 0 && lines.length !== 1) problems.push(`${lines.length} lines shown, expected 1`);
  if (stackTrace(result.stderr)) problems.push('stack trace shown');
  if (result.seconds > withinSeconds) problems.push(`took ${result.seconds} s, limit ${withinSeconds} s`);
  if (extra && !extra.ok) problems.push(extra.why);
  return {
    input,
    got: result.timedOut ? 'killed' : `exit ${result.code}`,
    line: lines[0] ?? (extra?.why || ''),
    seconds: result.seconds,
    pass: problems.length === 0,
    why: problems.join('; ') || (extra?.why ?? ''),
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    }),
  );
}

/** A throwaway self-signed certificate (openssl), for a TLS server where a broker should be. */
function selfSigned(dir: string): { key: Buffer; cert: Buffer } | undefined {
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return undefined;
  }
}

const countLines = (path: string): number => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0);
const countDir = (dir: string, prefix: string): number =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((file) => file.startsWith(prefix))
        .reduce((sum, file) => sum + countLines(join(dir, file)), 0)
    : 0;

export interface SuiteOptions {
  brokers: readonly string[];
  /** Only the cases that take a few seconds each (for CI). */
  quick: boolean;
  progress: (line: string) => void;
}

export async function runBadInputSuite(options: SuiteOptions): Promise<Result[]> {
  const { brokers, quick, progress } = options;
  const b = brokers.join(',');
  const log = getLogger('bad-input');
  const kafka = createKafka({ clientId: 'bad-input', brokers, log });
  const admin = kafka.admin();
  await connectClient(admin, brokers);
  const id = randomUUID().slice(0, 8);
  const topic = `bad-input-${id}`;
  const smallTopic = `bad-input-small-${id}`;
  const dir = await mkdtemp(join(tmpdir(), 'bad-input-'));
  const results: Result[] = [];
  const record = (result: Result): void => {
    results.push(result);
    progress(`${result.pass ? 'pass' : 'FAIL'}  ${result.input}: ${result.got} — ${result.line}${result.pass ? '' : ` (${result.why})`}`);
  };
  const servers: { close: () => void }[] = [];
  let adminServer: ReturnType<typeof spawn> | undefined;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: 6, replicationFactor: 1 },
        { topic: smallTopic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: '100000' }] },
      ],
    });

    // Flags.
    record(judgeCli('produce -c -5 (negative count)', await run('producer/cli.js', ['-b', b, '-t', topic, '-c', '-5']), 2, 10));
    record(judgeCli('produce -r 0 (zero rate)', await run('producer/cli.js', ['-b', b, '-t', topic, '-r', '0', '-c', '5']), 2, 10));
    record(judgeCli('consume -p 0 (zero processes)', await run('consumer/cli/cli.js', ['-b', b, '-t', topic, '-p', '0', '--sink', 'none']), 2, 10));
    record(
      judgeCli('consume -p 12 on a 6-partition topic', await run('consumer/cli/cli.js', ['-b', b, '-t', topic, '-p', '12', '--sink', 'none', '-e']), 2, 20),
    );
    record(
      judgeCli(
        'consume --partitions "0,1;9" (partition 9 does not exist)',
        await run('consumer/cli/cli.js', ['-b', b, '-t', topic, '-p', '2', '--partitions', '0,1;9', '--sink', 'none', '-e']),
        2,
        20,
      ),
    );
    record(judgeCli('consume --fail-rate 2', await run('consumer/cli/cli.js', ['-b', b, '-t', topic, '--fail-rate', '2', '--sink', 'none']), 2, 10));
    record(judgeCli('lag -G <unknown group>', await run('consumer/cli/lag-cli.js', ['-b', b, '-G', `nobody-${id}`]), 1, 20));

    // Topics and brokers.
    record(judgeCli('produce -t <unknown topic>', await run('producer/cli.js', ['-b', b, '-t', `missing-${id}`, '-c', '1']), 1, 30));
    record(judgeCli('consume -t <unknown topic>', await run('consumer/cli/cli.js', ['-b', b, '-t', `missing-${id}`, '-e', '--sink', 'none']), 1, 30));
    const closedPort = await anyFreePort('127.0.0.1');
    record(judgeCli(`produce -b 127.0.0.1:${closedPort} (nothing listens)`, await run('producer/cli.js', ['-b', `127.0.0.1:${closedPort}`, '-c', '1']), 1, 30));
    record(judgeCli('produce -b no-such-host.invalid:9092', await run('producer/cli.js', ['-b', 'no-such-host.invalid:9092', '-c', '1']), 1, 30));
    const http = createHttpServer((_request, response) => response.end('not kafka'));
    servers.push({ close: () => http.close() });
    const httpPort = await listen(http);
    record(judgeCli(`produce -b 127.0.0.1:${httpPort} (an HTTP server)`, await run('producer/cli.js', ['-b', `127.0.0.1:${httpPort}`, '-c', '1']), 1, 30));
    record(judgeCli(`lag -b 127.0.0.1:${httpPort} (an HTTP server)`, await run('consumer/cli/lag-cli.js', ['-b', `127.0.0.1:${httpPort}`]), 1, 30));
    const certificate = selfSigned(dir);
    if (certificate) {
      const tls = createTlsServer(certificate, (socket) => socket.end());
      servers.push({ close: () => tls.close() });
      const tlsPort = await listen(tls);
      record(judgeCli(`produce -b 127.0.0.1:${tlsPort} (a TLS server)`, await run('producer/cli.js', ['-b', `127.0.0.1:${tlsPort}`, '-c', '1']), 1, 30));
      record(
        judgeCli(
          `consume -b 127.0.0.1:${tlsPort} (a TLS server)`,
          await run('consumer/cli/cli.js', ['-b', `127.0.0.1:${tlsPort}`, '-e', '--sink', 'none']),
          1,
          30,
        ),
      );
    }

    // Messages.
    record(
      judgeCli(
        'produce --payload-bytes 200000 to a topic with max.message.bytes=100000',
        // Refused before sending: no message of that size fits the topic (a usage error, like -p past the partitions).
        await run('producer/cli.js', ['-b', b, '-t', smallTopic, '--payload-bytes', '200000', '-c', '3', '-q']),
        2,
        60,
      ),
    );
    if (!quick) {
      record(
        judgeCli(
          // Each message fits: the producer caps its sends at the topic's max.message.bytes, not the broker default.
          'produce --payload-bytes 90000 (each just under max.message.bytes=100000)',
          await run('producer/cli.js', ['-b', b, '-t', smallTopic, '--payload-bytes', '90000', '-c', '20', '-q']),
          0,
          60,
        ),
      );
    }
    const producer = createProducer(createKafka({ clientId: 'bad-input-producer', brokers, log }));
    await producer.connect();
    const badTopic = `bad-input-messages-${id}`;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: badTopic, numPartitions: 1, replicationFactor: 1 }] });
    await producer.send({
      topic: badTopic,
      messages: [
        { value: 'not json at all' },
        { value: '{"id": 1, "truncated": ' },
        { value: JSON.stringify({ id: 'x', seq: 'not a number' }) },
        { value: Buffer.from([0xff, 0xfe, 0x00, 0x01]) },
        { value: null },
      ],
    });
    await producer.disconnect();
    const strictOut = join(dir, 'strict');
    const strict = await run('consumer/cli/cli.js', [
      '-b',
      b,
      '-t',
      badTopic,
      '-G',
      `bad-input-${id}`,
      '-p',
      '1',
      '-o',
      'beginning',
      '-e',
      '--strict',
      '--dlq',
      'file',
      '--out-dir',
      strictOut,
      '-q',
    ]);
    const deadLetters = countDir(strictOut, 'dlq-');
    const written = countDir(strictOut, 'consumer-');
    record(
      judgeCli('5 bad messages (non-JSON, cut JSON, wrong schema, binary, null) with --strict --dlq file', strict, 0, 60, {
        ok: deadLetters + written === 5 && deadLetters >= 4,
        why: `${deadLetters} dead letters, ${written} written: none lost`,
      }),
    );

    // The admin server.
    const port = await anyFreePort('127.0.0.1');
    const outputDir = join(dir, 'admin-output');
    await mkdir(outputDir, { recursive: true });
    await mkdir(join(dir, 'outside'), { recursive: true });
    await symlink(join(dir, 'outside'), join(outputDir, 'escape'));
    const adminLog: string[] = [];
    adminServer = spawn(process.execPath, [distPath('consumer/admin/cli.js')], {
      cwd: projectRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, KAFKA_BROKERS: b, ADMIN_PORT: String(port), ADMIN_STATE_FILE: join(dir, 'state.json'), OUTPUT_DIR: outputDir, LOG_FORMAT: 'json' },
    });
    adminServer.stderr?.on('data', (chunk: Buffer) => adminLog.push(chunk.toString()));
    for (let waited = 0; !/Admin server on/.test(adminLog.join('')); waited += 100) {
      if (waited > 30_000) throw new Error(`the admin server did not start: ${adminLog.join('').slice(-500)}`);
      await sleep(100);
    }
    const url = `http://127.0.0.1:${port}`;
    const request = async (
      input: string,
      method: string,
      path: string,
      body: string | undefined,
      expected: number,
      contentType = 'application/json',
    ): Promise<void> => {
      const startedAt = performance.now();
      const response = await fetch(`${url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': contentType }, body }).catch(
        (error: unknown) => error as Error,
      );
      const seconds = Math.round((performance.now() - startedAt) / 100) / 10;
      if (response instanceof Error) {
        record({ input, got: 'no answer', line: response.message, seconds, pass: false, why: 'the server did not answer' });
        return;
      }
      const text = await response.text();
      let line = text.slice(0, 200);
      try {
        const problem = JSON.parse(text) as { detail?: string; title?: string };
        line = problem.detail ?? problem.title ?? line;
      } catch {
        // not JSON: shown as it came
      }
      const problems = [
        ...(response.status === expected ? [] : [`HTTP ${response.status}, expected ${expected}`]),
        ...(/\bat .+:\d+:\d+/.test(text) || /"stack"/.test(text) ? ['stack trace in the body'] : []),
      ];
      record({ input, got: `HTTP ${response.status}`, line, seconds, pass: problems.length === 0, why: problems.join('; ') });
    };
    const consumer = (sinks: unknown[]): string => JSON.stringify({ topic, group: `g-${randomUUID()}`, autoStart: false, sinks });
    await request('POST /api/consumers with malformed JSON', 'POST', '/api/consumers', '{"topic": ', 400);
    await request('POST /api/consumers with a 200 KB body', 'POST', '/api/consumers', JSON.stringify({ topic, pad: 'x'.repeat(200_000) }), 413);
    await request('POST /api/consumers as text/plain', 'POST', '/api/consumers', consumer([{ type: 'file', path: 'a.jsonl' }]), 415, 'text/plain');
    await request('POST /api/consumers with an unknown field', 'POST', '/api/consumers', JSON.stringify({ topic, group: 'g', sinks: [], colour: 'red' }), 400);
    await request('POST /api/consumers with a JSON array', 'POST', '/api/consumers', '[1,2,3]', 400);
    await request('GET /api/consumers/<unknown id>', 'GET', `/api/consumers/${randomUUID()}`, undefined, 404);
    await request('POST /api/consumers/<unknown id>/pause', 'POST', `/api/consumers/${randomUUID()}/pause`, undefined, 404);
    await request('DELETE /api/consumers/../../etc', 'DELETE', '/api/consumers/..%2F..%2Fetc', undefined, 404);
    await request('file sink path ../escape.jsonl', 'POST', '/api/consumers', consumer([{ type: 'file', path: '../escape.jsonl' }]), 400);
    await request('file sink path /etc/passwd', 'POST', '/api/consumers', consumer([{ type: 'file', path: '/etc/passwd' }]), 400);
    await request('file sink through a symlink out of OUTPUT_DIR', 'POST', '/api/consumers', consumer([{ type: 'file', path: 'escape/x.jsonl' }]), 400);
    await request(
      'HTTP sink to a URL not in ADMIN_HTTP_ALLOW',
      'POST',
      '/api/consumers',
      consumer([{ type: 'http', url: 'http://169.254.169.254/latest' }]),
      400,
    );
    await request('HTTP sink to file:///etc/passwd', 'POST', '/api/consumers', consumer([{ type: 'http', url: 'file:///etc/passwd' }]), 400);
    await request('postgres sink without ADMIN_DATABASE_URL', 'POST', '/api/consumers', consumer([{ type: 'postgres', table: 'orders' }]), 400);
    await request(
      'consumer on another broker not in ADMIN_BROKER_ALLOW',
      'POST',
      '/api/consumers',
      JSON.stringify({ topic, group: 'g', brokers: ['10.0.0.1:9092'], sinks: [{ type: 'file', path: 'b.jsonl' }] }),
      400,
    );

    // A symlink placed at a sink's path after the admin checked it: the open refuses it (O_NOFOLLOW).
    const raced = await fetch(`${url}/api/consumers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: consumer([{ type: 'file', path: 'raced.jsonl' }]),
    });
    const racedId = ((await raced.json()) as { id?: string }).id;
    await writeFile(join(dir, 'outside', 'target.txt'), 'untouched\n');
    await symlink(join(dir, 'outside', 'target.txt'), join(outputDir, 'raced.jsonl'));
    await fetch(`${url}/api/consumers/${racedId}/start`, { method: 'POST' });
    let racedState: { status?: string; lastError?: { message?: string } | null } = {};
    for (let waited = 0; waited < 30_000 && racedState.status !== 'ERROR'; waited += 250) {
      racedState = (await (await fetch(`${url}/api/consumers/${racedId}`)).json()) as typeof racedState;
      if (racedState.status !== 'ERROR') await sleep(250);
    }
    const untouched = readFileSync(join(dir, 'outside', 'target.txt'), 'utf8') === 'untouched\n';
    record({
      input: 'symlink placed at a file sink path after the check, then start',
      got: `status ${racedState.status}`,
      line: racedState.lastError?.message ?? '',
      seconds: 0,
      // The admin's check runs again at start and refuses it first; O_NOFOLLOW covers the moment between that check and the open.
      pass: racedState.status === 'ERROR' && untouched,
      why: untouched ? 'refused; the target is untouched' : 'the target was written through the symlink',
    });

    // 1,000 consumers asked for: the limit (ADMIN_MAX_CONSUMERS, 50) answers, the server stays up.
    const startedAt = performance.now();
    const statuses = new Map<number, number>();
    let lastRefusal = '';
    for (let index = 0; index < 1_000; index++) {
      const response = await fetch(`${url}/api/consumers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: consumer([{ type: 'file', path: `many/${index}.jsonl` }]),
      });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const text = await response.text();
      if (response.status >= 400) lastRefusal = (JSON.parse(text) as { detail?: string }).detail ?? text;
    }
    const healthy = (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200;
    const created = statuses.get(201) ?? 0;
    const refused = [...statuses].filter(([status]) => status >= 400 && status < 500).reduce((sum, [, count]) => sum + count, 0);
    record({
      input: '1,000 POST /api/consumers (limit 50)',
      got: [...statuses].map(([status, count]) => `${count}× ${status}`).join(', '),
      line: lastRefusal,
      seconds: Math.round((performance.now() - startedAt) / 100) / 10,
      pass: healthy && created + 1 <= 50 && created + refused === 1_000,
      why: healthy ? '' : 'the server stopped answering',
    });
    const stillUp = adminServer.exitCode === null && adminServer.signalCode === null;
    record({
      input: 'the admin server after all of the above',
      got: stillUp ? 'running' : `exited ${adminServer.exitCode}`,
      line: stillUp ? 'GET /healthz 200' : adminLog.join('').slice(-200),
      seconds: 0,
      pass: stillUp && healthy,
      why: '',
    });
    return results;
  } finally {
    adminServer?.kill('SIGINT');
    for (const server of servers) server.close();
    await admin.deleteTopics({ topics: [topic, smallTopic, `bad-input-messages-${id}`] }).catch(() => {});
    await admin.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}

export function resultsTable(results: readonly Result[]): string {
  const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    '| Input | Got | Shown | Seconds | Verdict |',
    '| ----- | --- | ----- | ------: | ------- |',
    ...results.map(
      (result) =>
        `| ${cell(result.input)} | ${cell(result.got)} | ${cell(result.line)} | ${result.seconds} | ${result.pass ? 'pass' : `FAIL: ${cell(result.why)}`} |`,
    ),
  ].join('\n');
}

// Run as a script (npm run test:bad-input), not when imported by the vitest test.
if (process.argv[1]?.endsWith('bad-input.js')) {
  await runCli(async () => {
    const config = settings();
    const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run test:bad-input --' })
      .usage('Usage: npm run test:bad-input -- [--quick] [--write-results]\n\nTries each bad input against the real commands and admin server.')
      .options({
        quick: { type: 'boolean', default: false, describe: 'Skip the slower cases' },
        'write-results': { type: 'boolean', default: false, describe: 'Write test/faults/BAD-INPUT.md' },
      })
      .parseAsync();
    const startedAt = performance.now();
    const results = await runBadInputSuite({ brokers: config.brokers, quick: argv.quick, progress: (line) => void process.stderr.write(`${line}\n`) });
    const table = resultsTable(results);
    console.log(table);
    const failed = results.filter((result) => !result.pass).length;
    if (argv['write-results']) {
      const text = [
        '# Bad input',
        '',
        `\`npm run test:bad-input\` on ${new Date().toISOString().slice(0, 10)} (${((performance.now() - startedAt) / 1000).toFixed(0)} s), Node ${process.version}, against Kafka 4.3.1 on ${config.brokers.join(',')}.`,
        'Pass = the right exit code or HTTP status, one line shown (stderr lines that are not JSON logs), no stack trace, no hang, nothing lost.',
        '',
        table,
        '',
        `${results.length - failed} of ${results.length} pass.`,
        '',
      ].join('\n');
      await writeFile(join(projectRoot, 'test/faults/BAD-INPUT.md'), text);
    }
    process.stderr.write(`${results.length - failed} of ${results.length} pass\n`);
    return failed === 0 ? ExitCodes.ok : ExitCodes.failure;
  });
}
