import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { AdminStateSchema } from '../../consumer/admin/schemas.js';
import { startAdminServer } from '../../consumer/admin/server.js';
import { createStaticAssigner } from '../../consumer/engine/static-assigner.js';
import { readAdminSettings } from '../../consumer/admin/settings.js';
import type { HarnessMessage } from '../../shared/message.js';
import { startTestAdmin, tempFolder } from './helpers/admin.js';
import { plainLines, runCli, startCli } from './helpers/cli.js';
import { describeGroupWithJava, javaToolsAvailable } from './helpers/java-tools.js';
import { createAdmin, createTopic, testBrokers, testKafka, testLog } from './helpers/kafka.js';
import { postgresUrl, query, shouldRunWithPostgres } from './helpers/postgres.js';

const runPostgres = await shouldRunWithPostgres();
const runJavaTools = javaToolsAvailable();

async function produce(topic: string, count: number): Promise<void> {
  const result = await runCli('producer/cli.js', ['-b', testBrokers().join(','), '-t', topic, '-q', '-c', String(count), '-k', 'id']);
  expect(result.code, result.stderr).toBe(0);
}

async function jsonLines(path: string): Promise<HarnessMessage[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { payload: HarnessMessage }).payload);
}

/** The sum of the offsets a group has committed on a topic: the number of messages it consumed from an empty start. */
async function committedCount(group: string, topic: string): Promise<number> {
  const admin = await createAdmin();
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
}

/** Whether this process holds `path` open (Linux: /proc/self/fd). */
async function isOpenHere(path: string): Promise<boolean> {
  const targets = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.includes(path);
}

/** A real HTTP endpoint that records every batch it is sent. */
async function startReceiver(): Promise<{ origin: string; ids: string[] }> {
  const ids: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      for (const record of (JSON.parse(body) as { records: { payload: HarnessMessage }[] }).records) ids.push(record.payload.id);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`, ids };
}

describe('the admin server', () => {
  it('runs a consumer through its whole lifecycle over HTTP, with a 409 for each impossible step', async () => {
    const topic = await createTopic({ partitions: 3 });
    await produce(topic, 100);
    const { call, settings } = await startTestAdmin();

    const created = await call('POST', '/api/consumers', {
      name: 'lifecycle',
      topic,
      group: `g-${randomUUID()}`,
      sinks: [{ type: 'file', path: 'lifecycle/out.jsonl' }],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/consumers/${created.body.id}`);
    expect(created.body).toMatchObject({ name: 'lifecycle', status: 'ACTIVE', topic, lastError: null });
    const id = created.body.id as string;
    const file = join(settings.outputDir, 'lifecycle/out.jsonl');
    await vi.waitFor(async () => expect(await jsonLines(file)).toHaveLength(100), { timeout: 30_000, interval: 250 });

    expect((await call('POST', `/api/consumers/${id}/resume`)).body).toMatchObject({
      status: 409,
      currentStatus: 'ACTIVE',
      detail: 'cannot resume a consumer that is ACTIVE',
    });
    expect((await call('POST', `/api/consumers/${id}/pause`)).body.status).toBe('PAUSED');
    expect((await call('POST', `/api/consumers/${id}/pause`)).status).toBe(409);
    expect((await call('POST', `/api/consumers/${id}/resume`)).body.status).toBe('ACTIVE');
    expect((await call('POST', `/api/consumers/${id}/stop`)).body.status).toBe('INACTIVE');
    expect((await call('POST', `/api/consumers/${id}/stop`)).body).toMatchObject({ status: 409, currentStatus: 'INACTIVE' });
    expect((await call('POST', `/api/consumers/${id}/start`)).body.status).toBe('ACTIVE');

    const one = await call('GET', `/api/consumers/${id}`);
    expect(one.body).toMatchObject({ id, status: 'ACTIVE', stats: { failed: 0 } });
    expect(Object.keys(one.body.lag).sort((a, b) => a.localeCompare(b))).toEqual(['0', '1', '2']);
    for (const partition of Object.values(one.body.lag) as { lag: number; status: string }[]) expect(partition).toMatchObject({ lag: 0, status: 'OK' });

    const updated = await call('PUT', `/api/consumers/${id}`, {
      name: 'lifecycle-2',
      topic,
      group: created.body.group,
      sinks: [{ type: 'file', path: 'lifecycle/renamed.jsonl' }],
    });
    expect(updated.body).toMatchObject({ id, name: 'lifecycle-2', status: 'ACTIVE', sinks: [{ type: 'file', path: 'lifecycle/renamed.jsonl' }] });
    expect((await call('GET', '/api/consumers')).body.map((consumer: { id: string }) => consumer.id)).toEqual([id]);

    expect((await call('DELETE', `/api/consumers/${id}`)).status).toBe(204);
    expect((await call('GET', `/api/consumers/${id}`)).status).toBe(404);
    // everything was committed before it went away: nothing left to read for the group
    expect((await call('GET', `/api/monitor/consumer-group-lag?group_id=${created.body.group}&topic=${topic}`)).body['0'].lag).toBe(0);
  });

  it('answers a double-clicked start with one start and a 409, and leaves nothing running after stop', async () => {
    const topic = await createTopic({ partitions: 2 });
    const { call } = await startTestAdmin();
    const group = `g-${randomUUID()}`;
    const created = await call('POST', '/api/consumers', { topic, group, autoStart: false, sinks: [{ type: 'file', path: 'double.jsonl' }] });
    const id = created.body.id as string;

    const answers = await Promise.all([call('POST', `/api/consumers/${id}/start`), call('POST', `/api/consumers/${id}/start`)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.status === 409)?.body).toMatchObject({ currentStatus: 'ACTIVE', detail: 'cannot start a consumer that is ACTIVE' });
    expect((await call('POST', `/api/consumers/${id}/stop`)).body.status).toBe('INACTIVE');
    // A second KafkaJS consumer left running by the second start would still be a member of the group.
    const admin = await createAdmin();
    await vi.waitFor(async () => expect((await admin.describeGroups([group])).groups[0]?.members).toEqual([]), { timeout: 20_000, interval: 250 });
  });

  it('keeps a PAUSED consumer PAUSED when its definition is replaced', async () => {
    const topic = await createTopic({ partitions: 2 });
    await produce(topic, 20);
    const { call, settings } = await startTestAdmin();
    const group = `g-${randomUUID()}`;
    const created = await call('POST', '/api/consumers', { topic, group, sinks: [{ type: 'file', path: 'before.jsonl' }] });
    const id = created.body.id as string;
    await vi.waitFor(async () => expect(await jsonLines(join(settings.outputDir, 'before.jsonl'))).toHaveLength(20), { timeout: 30_000, interval: 250 });
    expect((await call('POST', `/api/consumers/${id}/pause`)).body.status).toBe('PAUSED');

    const updated = await call('PUT', `/api/consumers/${id}`, { topic, group, sinks: [{ type: 'file', path: 'after.jsonl' }] });
    expect(updated.body).toMatchObject({ status: 'PAUSED', sinks: [{ type: 'file', path: 'after.jsonl' }] });
    expect((await call('GET', `/api/consumers/${id}`)).body.status).toBe('PAUSED');
    expect((await call('POST', `/api/consumers/${id}/resume`)).body.status).toBe('ACTIVE');
    await produce(topic, 10);
    await vi.waitFor(async () => expect(await jsonLines(join(settings.outputDir, 'after.jsonl'))).toHaveLength(10), { timeout: 30_000, interval: 250 });
  });

  it('marks a crashed consumer ERROR and closes its sinks', async () => {
    const topic = await createTopic({ partitions: 2 });
    const group = `g-${randomUUID()}`;
    // A member that assigns partitions its own way: the group refuses the admin's consumer, which crashes.
    const other = testKafka('harness-test-static').consumer({ groupId: group, partitionAssigners: [createStaticAssigner(topic, [0, 1])] });
    await other.connect();
    onTestFinished(() => other.disconnect());
    const joined = new Promise<void>((resolve) => other.on(other.events.GROUP_JOIN, () => resolve()));
    await other.subscribe({ topics: [topic] });
    await other.run({ eachMessage: async () => {} });
    await joined;

    const { call, settings } = await startTestAdmin();
    const created = await call('POST', '/api/consumers', { topic, group, sinks: [{ type: 'file', path: 'crash.jsonl' }] });
    const id = created.body.id as string;
    await vi.waitFor(
      async () =>
        expect((await call('GET', `/api/consumers/${id}`)).body).toMatchObject({
          status: 'ERROR',
          lastError: { message: expect.stringMatching(/already has members that assign partitions another way/) },
        }),
      {
        timeout: 30_000,
        interval: 250,
      },
    );
    await vi.waitFor(async () => expect(await isOpenHere(join(settings.outputDir, 'crash.jsonl'))).toBe(false), { timeout: 20_000, interval: 250 });
    expect((await call('POST', `/api/consumers/${id}/pause`)).body).toMatchObject({ status: 409, currentStatus: 'ERROR' });
  });

  it('delivers 1,000 produced messages to a file, a PostgreSQL table and an HTTP receiver, each exactly once', async () => {
    if (!runPostgres) return;
    const topic = await createTopic({ partitions: 6 });
    const receiver = await startReceiver();
    const table = `admin_test_${randomBytes(6).toString('hex')}`;
    onTestFinished(() => query(`DROP TABLE IF EXISTS ${table}`).then(() => undefined));
    const { call, settings } = await startTestAdmin({ databaseUrl: postgresUrl, httpAllow: [receiver.origin] });

    const created = await call('POST', '/api/consumers', {
      topic,
      group: `g-${randomUUID()}`,
      sinks: [
        { type: 'file', path: 'all/orders.jsonl' },
        { type: 'postgres', table },
        { type: 'http', url: `${receiver.origin}/ingest` },
      ],
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('postgresql://');
    await produce(topic, 1_000);

    await vi.waitFor(async () => expect((await call('GET', `/api/consumers/${created.body.id}`)).body.stats.processed).toBe(1_000), {
      timeout: 60_000,
      interval: 250,
    });
    const fileIds = (await jsonLines(join(settings.outputDir, 'all/orders.jsonl'))).map((message) => message.id);
    const rows = await query<{ id: string }>(`SELECT payload->>'id' AS id FROM ${table}`);
    for (const ids of [fileIds, rows.map((row) => row.id), receiver.ids]) {
      expect(ids).toHaveLength(1_000);
      expect(new Set(ids).size).toBe(1_000);
    }
    expect(new Set(rows.map((row) => row.id))).toEqual(new Set(fileIds));
    expect(new Set(receiver.ids)).toEqual(new Set(fileIds));
  });

  it('stops the flow on pause and restarts it on resume', async () => {
    const topic = await createTopic({ partitions: 3 });
    const { call, settings } = await startTestAdmin();
    const created = await call('POST', '/api/consumers', { topic, group: `g-${randomUUID()}`, sinks: [{ type: 'file', path: 'pause.jsonl' }] });
    const file = join(settings.outputDir, 'pause.jsonl');
    await produce(topic, 200);
    await vi.waitFor(async () => expect(await jsonLines(file)).toHaveLength(200), { timeout: 30_000, interval: 250 });

    expect((await call('POST', `/api/consumers/${created.body.id}/pause`)).body.status).toBe('PAUSED');
    await produce(topic, 300);
    // Nothing arriving can only be seen over a window, so a witness measures it instead of a fixed
    // sleep: a consumer of its own group in the same server, started now, has to join and read all
    // 500 messages, which takes longer than a running consumer that still fetched would need for 300.
    await call('POST', '/api/consumers', { topic, group: `g-${randomUUID()}`, sinks: [{ type: 'file', path: 'witness.jsonl' }] });
    await vi.waitFor(async () => expect(await jsonLines(join(settings.outputDir, 'witness.jsonl'))).toHaveLength(500), { timeout: 30_000, interval: 250 });
    expect(await jsonLines(file)).toHaveLength(200);

    expect((await call('POST', `/api/consumers/${created.body.id}/resume`)).body.status).toBe('ACTIVE');
    await vi.waitFor(async () => expect(await jsonLines(file)).toHaveLength(500), { timeout: 30_000, interval: 250 });
  });

  it('brings ACTIVE consumers back ACTIVE after a restart, and keeps a corrupt state file aside', async () => {
    const topic = await createTopic({ partitions: 3 });
    const dir = await tempFolder('harness-admin-restart-');
    const settings = { ...readAdminSettings({}), port: 0, stateFile: join(dir, 'state.json'), outputDir: join(dir, 'output') };
    const first = await startAdminServer(settings, testBrokers(), testLog);
    const created = await fetch(`${first.url}/api/consumers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'survivor', topic, group: `g-${randomUUID()}`, sinks: [{ type: 'file', path: 'survivor.jsonl' }] }),
    });
    expect(created.status).toBe(201);
    await first.close();

    const second = await startAdminServer(settings, testBrokers(), testLog);
    onTestFinished(() => second.close());
    const [restored] = (await (await fetch(`${second.url}/api/consumers`)).json()) as { name: string; status: string }[];
    expect(restored).toMatchObject({ name: 'survivor', status: 'ACTIVE' });
    await produce(topic, 50);
    await vi.waitFor(async () => expect(await jsonLines(join(settings.outputDir, 'survivor.jsonl'))).toHaveLength(50), { timeout: 30_000, interval: 250 });
    await second.close();

    await writeFile(settings.stateFile, '{"version":1,"consumers":[{"id":"half a');
    const third = await startAdminServer(settings, testBrokers(), testLog);
    onTestFinished(() => third.close());
    expect(await (await fetch(`${third.url}/api/consumers`)).json()).toEqual([]);
    const aside = (await readdir(dir)).filter((name) => name.startsWith('state.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await Promise.all(aside.map((name) => readFile(join(dir, name), 'utf8')))).toEqual(['{"version":1,"consumers":[{"id":"half a']);
  });

  it.runIf(runJavaTools)('reports the lag kafka-consumer-groups reports', async () => {
    const topic = await createTopic({ partitions: 4 });
    await produce(topic, 400);
    const { call } = await startTestAdmin();
    const group = `g-${randomUUID()}`;
    const created = await call('POST', '/api/consumers', { topic, group, sinks: [{ type: 'file', path: 'lag.jsonl' }] });
    await vi.waitFor(async () => expect((await call('GET', `/api/consumers/${created.body.id}`)).body.stats.processed).toBe(400), {
      timeout: 30_000,
      interval: 250,
    });
    await call('POST', `/api/consumers/${created.body.id}/stop`);
    await produce(topic, 300);

    const ours = (await call('GET', `/api/monitor/consumer-group-lag?group_id=${group}&topic=${topic}`)).body as Record<
      string,
      { current_offset: number; log_end_offset: number; lag: number; status: string }
    >;
    const java = describeGroupWithJava(testBrokers(), group);
    expect(java).toHaveLength(4);
    for (const row of java) {
      expect(ours[String(row.partition)]).toMatchObject({ current_offset: row.currentOffset, log_end_offset: row.logEndOffset, lag: row.lag });
    }
    expect(Object.values(ours).reduce((sum, partition) => sum + partition.lag, 0)).toBe(300);
    const offsets = (await call('GET', `/api/monitor/consumer-group-offsets?group_id=${group}`)).body as Record<string, Record<string, number>>;
    expect(Object.values(offsets[topic] ?? {}).reduce((sum, offset) => sum + offset, 0)).toBe(400);
    const metrics = (await call('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/# TYPE kafka_consumergroup_group_lag gauge/);
    expect(metrics).toMatch(/harness_consumer_messages_processed_total\{consumer="consumer-[0-9a-f]{8}"\} 400/);
  });

  it('answers bad requests with the right 4xx as application/problem+json, never a stack trace', async () => {
    const { call } = await startTestAdmin({ httpAllow: ['http://127.0.0.1:9'] });
    const good = { topic: 'test-topic', group: 'g', autoStart: false, sinks: [{ type: 'file', path: 'ok.jsonl' }] };
    const cases: [string, string, unknown, number, RegExp][] = [
      ['path traversal', '/api/consumers', { ...good, sinks: [{ type: 'file', path: '../../etc/passwd' }] }, 400, /leaves OUTPUT_DIR/],
      ['absolute path', '/api/consumers', { ...good, sinks: [{ type: 'file', path: '/etc/passwd' }] }, 400, /leaves OUTPUT_DIR/],
      [
        'disallowed URL',
        '/api/consumers',
        { ...good, sinks: [{ type: 'http', url: 'http://169.254.169.254/latest' }] },
        400,
        /not allowed: add its origin to ADMIN_HTTP_ALLOW/,
      ],
      ['postgres without a database', '/api/consumers', { ...good, sinks: [{ type: 'postgres', table: 'orders' }] }, 400, /ADMIN_DATABASE_URL/],
      ['other brokers', '/api/consumers', { ...good, brokers: ['10.0.0.1:9092'] }, 400, /not allowed.*ADMIN_BROKER_ALLOW/],
      ['unknown field', '/api/consumers', { ...good, sql: 'drop' }, 400, /Unrecognized key: "sql"/],
      ['missing topic', '/api/consumers', { group: 'g', sinks: good.sinks }, 400, /topic/],
      ['broken JSON', '/api/consumers', '{"topic":', 400, /not valid JSON/],
      ['oversized body', '/api/consumers', { ...good, group: 'x'.repeat(70_000) }, 413, /too large/],
      ['unknown id', `/api/consumers/${randomUUID()}/start`, undefined, 404, /no consumer with id/],
      ['unknown action', `/api/consumers/${randomUUID()}/explode`, undefined, 404, /no action explode/],
      ['unknown route', '/api/nothing', undefined, 404, /no route/],
    ];
    for (const [what, path, body, status, detail] of cases) {
      const response = await call(path.includes('/api/nothing') ? 'GET' : 'POST', path, body);
      expect(response.status, what).toBe(status);
      expect(response.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
      expect(response.body.detail, what).toMatch(detail);
      expect(JSON.stringify(response.body), what).not.toMatch(/at .*\.(js|ts):\d+/);
    }
    const form = await call('POST', '/api/consumers', 'topic=t&group=g', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.body).toMatchObject({ title: 'Unsupported Media Type', detail: 'send the body as application/json (got application/x-www-form-urlencoded)' });
  });

  it('needs the token when one is set, refuses a wrong Host, and will not listen beyond loopback without a token', async () => {
    const { call, running } = await startTestAdmin({ token: 'correct horse battery staple' });
    expect((await call('GET', '/api/consumers')).status).toBe(401);
    expect((await call('GET', '/api/consumers', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await call('GET', '/api/consumers', undefined, { authorization: 'Bearer correct horse battery staple' })).status).toBe(200);
    expect((await call('GET', '/healthz')).status).toBe(200);
    // fetch() won't send a made-up Host header; node:http will, as a browser tricked by DNS rebinding would.
    const rebound = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${running.url}/api/consumers`);
      request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: { host: 'attacker.example:8080', authorization: 'Bearer correct horse battery staple' },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(rebound).toBe(421);

    await expect(startAdminServer({ ...readAdminSettings({}), host: '0.0.0.0', port: 0 }, testBrokers(), testLog)).rejects.toThrow(
      /ADMIN_HOST=0\.0\.0\.0 would expose the admin API beyond this machine: set ADMIN_TOKEN/,
    );
  });

  it("refuses changes a page on another site makes the browser send, and takes the dashboard's own", async () => {
    const topic = await createTopic({ partitions: 1 });
    const { call, running } = await startTestAdmin();
    const created = await call('POST', '/api/consumers', { topic, group: `g-${randomUUID()}`, sinks: [{ type: 'file', path: 'csrf.jsonl' }] });
    const id = created.body.id as string;
    expect(created.body.status).toBe('ACTIVE');

    // What a form or a no-cors fetch on another site sends: no custom header, so no preflight.
    const forged: [string, Record<string, string>][] = [
      ['/api/consumers/stop-all', { origin: 'https://attacker.example' }],
      ['/stop-all', { origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-site' }],
      [`/start-consumer?topic=${topic}&file_path=forged.jsonl&group_id=forged`, { 'sec-fetch-site': 'cross-site' }],
      [`/api/consumers/${id}/stop`, { origin: 'null' }],
    ];
    for (const [path, headers] of forged) {
      const answer = await call('POST', path, undefined, headers);
      expect(answer.status, path).toBe(403);
      expect(answer.headers.get('content-type'), path).toMatch(/^application\/problem\+json/);
    }
    expect((await call('GET', '/api/consumers')).body).toMatchObject([{ id, status: 'ACTIVE' }]);

    const own = { origin: running.url, 'sec-fetch-site': 'same-origin' };
    expect((await call('POST', `/api/consumers/${id}/pause`, undefined, own)).body.status).toBe('PAUSED');
    expect((await call('DELETE', `/api/consumers/${id}`, undefined, own)).status).toBe(204);
  });

  it("serves the earlier designs' route names over the same consumers", async () => {
    const topic = await createTopic({ partitions: 2 });
    await produce(topic, 20);
    const { call, settings } = await startTestAdmin();
    const started = await call(
      'POST',
      `/start-consumer?broker=${testBrokers()[0]}&topic=${topic}&file_path=legacy.jsonl&group_id=g-${randomUUID()}&client_id=legacy-1`,
    );
    expect(started.status).toBe(201);
    const id = started.body.consumer_id as string;
    expect((await call('GET', '/list-consumers')).body.map((consumer: { name: string }) => consumer.name)).toEqual(['legacy-1']);
    await vi.waitFor(async () => expect(await jsonLines(join(settings.outputDir, 'legacy.jsonl'))).toHaveLength(20), { timeout: 30_000, interval: 250 });
    expect((await call('POST', `/pause-consumer/${id}`)).body.status).toBe('PAUSED');
    expect((await call('POST', `/resume-consumer/${id}`)).body.status).toBe('ACTIVE');
    expect((await call('GET', `/consumer-status/${id}`)).body.status).toBe('ACTIVE');
    expect((await call('GET', '/monitor-threads')).body.consumers[0]).toMatchObject({ id, status: 'ACTIVE', alive: true });
    expect((await call('POST', `/stop-consumer/${id}`)).body.status).toBe('INACTIVE');
    expect((await call('POST', '/stop-all')).body).toEqual({ stopped: [] });
    expect((await call('POST', `/terminate-consumer/${id}`)).status).toBe(204);
    expect((await call('GET', `/consumer-status/${id}`)).status).toBe(404);
  });

  it('publishes an OpenAPI 3.1 document built from the request schemas', async () => {
    const { call } = await startTestAdmin();
    const document = (await call('GET', '/docs/openapi.json')).body;
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.schemas.ConsumerInput.required).toEqual(['topic', 'group', 'sinks']);
    expect(document.components.schemas.ConsumerInput.additionalProperties).toBe(false);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/consumers', '/api/consumers/{id}', '/api/monitor/consumer-group-lag', '/start-consumer', '/monitor-threads']),
    );
    expect((await call('GET', '/docs')).body).toMatch(/<title>kafka-harness admin API<\/title>/);
  });

  it('as npm run admin, stops every consumer on SIGINT: what it wrote is committed, it is saved ACTIVE, exit 0', async () => {
    const topic = await createTopic({ partitions: 3 });
    await produce(topic, 3_000);
    const dir = await tempFolder('harness-admin-cli-');
    const stateFile = join(dir, 'state.json');
    const outputDir = join(dir, 'output');
    const running = startCli('consumer/admin/cli.js', [], {
      env: { ADMIN_PORT: '0', ADMIN_STATE_FILE: stateFile, OUTPUT_DIR: outputDir, KAFKA_BROKERS: testBrokers().join(',') },
    });
    const listening = /Admin server on (http:\/\/127\.0\.0\.1:\d+)/;
    const url = await vi.waitFor(
      () => {
        const found = listening.exec(running.stderr)?.[1];
        if (found === undefined) throw new Error(`the admin server has not said where it listens yet:\n${running.stderr}`);
        return found;
      },
      { timeout: 20_000 },
    );
    const group = `g-${randomUUID()}`;
    const created = await fetch(`${url}/api/consumers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'interrupted', topic, group, sinks: [{ type: 'file', path: 'interrupted.jsonl' }] }),
    });
    expect(created.status).toBe(201);
    // Interrupted while it consumes: the batch in progress must be finished and committed, not lost.
    const file = join(outputDir, 'interrupted.jsonl');
    await vi.waitFor(async () => expect((await jsonLines(file)).length).toBeGreaterThan(0), { timeout: 30_000, interval: 50 });

    running.child.kill('SIGINT');
    const result = await running.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/admin server stopped; consumers flushed and committed, state saved/);
    expect(plainLines(result.stderr).filter((line) => line.includes('error'))).toEqual([]);
    const saved = AdminStateSchema.parse(JSON.parse(await readFile(stateFile, 'utf8')));
    expect(saved.consumers).toMatchObject([{ name: 'interrupted', status: 'ACTIVE' }]);
    const ids = (await jsonLines(file)).map((message) => message.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await committedCount(group, topic)).toBe(ids.length);
  });

  it('as npm run admin, stops cleanly on a SIGINT that comes while it restores its consumers', async () => {
    const topic = await createTopic({ partitions: 1 });
    const dir = await tempFolder('harness-admin-cli-');
    const stateFile = join(dir, 'state.json');
    const now = new Date().toISOString();
    const consumer = {
      id: randomUUID(),
      name: 'restored',
      brokers: testBrokers(),
      topic,
      group: `g-${randomUUID()}`,
      sinks: [{ type: 'file', path: 'restored.jsonl' }],
      status: 'ACTIVE',
      createdAt: now,
      updatedAt: now,
      lastError: null,
    };
    await writeFile(stateFile, JSON.stringify({ version: 1, consumers: [consumer] }));
    const running = startCli('consumer/admin/cli.js', [], {
      env: { ADMIN_PORT: '0', ADMIN_STATE_FILE: stateFile, OUTPUT_DIR: join(dir, 'output'), KAFKA_BROKERS: testBrokers().join(',') },
    });
    await vi.waitFor(() => expect(running.stderr).toMatch(/restoring consumers/), { timeout: 20_000, interval: 5 });

    running.child.kill('SIGINT');
    const result = await running.exited;
    expect({ code: result.code, signal: result.signal }, result.stderr).toEqual({ code: 0, signal: null });
    expect(AdminStateSchema.parse(JSON.parse(await readFile(stateFile, 'utf8'))).consumers).toMatchObject([{ name: 'restored', status: 'ACTIVE' }]);
  });
});
