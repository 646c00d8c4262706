/**
 * The dashboard's live views in headless Chromium against the real broker: the topic view follows a
 * 3-child `npm run consume` through a child's death, the lag chart follows a slow then fast
 * consumer, the message browser shows what kcat wrote, an offset reset done by keyboard makes a
 * consume read everything again, and the topic view's numbers match Kafka's own tools. Every page
 * runs with the network cut off except 127.0.0.1.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { projectRoot } from '../../shared/paths.js';
import { startTestAdmin, tempFolder } from './helpers/admin.js';
import { launchBrowser, shouldRunWithChromium } from './helpers/browser.js';
import { runCli, startCli } from './helpers/cli.js';
import { describeGroupWithJava, javaToolsAvailable, runKafkaTool } from './helpers/java-tools.js';
import { createTestProducer, createTopic, testBrokers } from './helpers/kafka.js';
import { shouldRunWith } from './helpers/tools.js';

/** Screenshots a person can look at after a run; git-ignored. */
const artifacts = join(projectRoot, 'test', 'artifacts');

/** A 1280×800 page that may reach 127.0.0.1 only: anything else (a CDN) is aborted and recorded. */
async function offlinePage(): Promise<{ page: Page; blocked: string[]; errors: string[] }> {
  const page = await (await launchBrowser()).newPage({ viewport: { width: 1280, height: 800 } });
  const blocked: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { page, blocked, errors };
}

async function produce(topic: string, count: number, partition?: number): Promise<void> {
  const producer = await createTestProducer();
  const messages = Array.from({ length: count }, (_, index) => ({
    key: `k${index}`,
    value: JSON.stringify({ n: index }),
    ...(partition === undefined ? {} : { partition }),
  }));
  for (let start = 0; start < messages.length; start += 500) await producer.send({ topic, messages: messages.slice(start, start + 500) });
}

/**
 * Owner text of each partition's row for `group`, as the page shows it. Page scripts are passed as
 * text: this project's TypeScript has no DOM library, and they run in the browser anyway.
 */
async function ownersOnPage(page: Page, group: string): Promise<Record<string, string>> {
  return (await page.evaluate(`(() => {
    const result = {};
    for (const lane of document.querySelectorAll('.lane')) {
      const owner = lane.querySelector('li[data-group="' + CSS.escape(${JSON.stringify(group)}) + '"] .owner');
      result[lane.dataset.partition] = owner ? owner.textContent : '';
    }
    return result;
  })()`)) as Record<string, string>;
}

function childPids(parentPid: number): number[] {
  const result = spawnSync('ps', ['-o', 'pid=', '--ppid', String(parentPid)], { encoding: 'utf8' });
  return result.stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0);
}

/** `kafka-topics --describe`, parsed: leader, replicas and ISR of each partition. */
function describeTopicWithJava(topic: string): { partition: number; leader: number; replicas: number[]; isr: number[] }[] {
  const result = runKafkaTool('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', testBrokers().join(','), '--describe', '--topic', topic]);
  if (result.code !== 0) throw new Error(`TopicCommand failed (${result.code}): ${result.stderr}`);
  const nodes = (text: string | undefined): number[] => (text ?? '').split(',').filter(Boolean).map(Number);
  return result.stdout
    .split('\n')
    .filter((line) => /Partition:\s*\d+/.test(line))
    .map((line) => ({
      partition: Number(/Partition:\s*(\d+)/.exec(line)?.[1]),
      leader: Number(/Leader:\s*(-?\d+)/.exec(line)?.[1]),
      replicas: nodes(/Replicas:\s*([\d,]+)/.exec(line)?.[1]),
      isr: nodes(/Isr:\s*([\d,]*)/.exec(line)?.[1]),
    }))
    .sort((a, b) => a.partition - b.partition);
}

describe.runIf(shouldRunWithChromium('the live dashboard tests'))('the live dashboard in a real browser', () => {
  it("follows a 3-child consume through a child killed and restarted, with the numbers of Kafka's own tools", async () => {
    const topic = await createTopic({ partitions: 6 });
    const group = `g-live-${randomUUID().slice(0, 8)}`;
    await produce(topic, 600);
    const { running, call } = await startTestAdmin();
    const consume = startCli('consumer/cli/cli.js', ['-t', topic, '-G', group, '-p', '3', '--sink', 'none', '--stats-interval', '1'], {
      env: { KAFKA_BROKERS: testBrokers().join(',') },
    });
    const { page, blocked, errors } = await offlinePage();
    await page.goto(`${running.url}/topics/${encodeURIComponent(topic)}`);

    // Child i owns partitions i and i+3 (the static slices), each child under its own client id.
    const expected = Object.fromEntries([0, 1, 2, 3, 4, 5].map((partition) => [String(partition), `harness-consumer-${partition % 3} (/127.0.0.1)`]));
    await vi.waitFor(async () => expect(await ownersOnPage(page, group)).toEqual(expected), { timeout: 60_000, interval: 500 });
    await vi.waitFor(
      async () => {
        const view = (await call('GET', `/api/topics/${encodeURIComponent(topic)}`)).body;
        expect(view.snapshot.groups[0].partitions.map((row: { lag: number }) => row.lag)).toEqual([0, 0, 0, 0, 0, 0]);
      },
      { timeout: 60_000, interval: 500 },
    );
    await expect.poll(() => page.locator('#live-status').textContent()).toMatch(/^Live · last updated \d\d:\d\d:\d\d$/);

    // At rest: the topic view's JSON says what kafka-consumer-groups and kafka-topics say.
    if (javaToolsAvailable()) {
      const view = (await call('GET', `/api/topics/${encodeURIComponent(topic)}`)).body;
      const mine = view.snapshot.groups[0].partitions.map(
        (row: { partition: number; committed: number; owner: { clientId: string; host: string; memberId: string } }) => ({
          partition: row.partition,
          committed: row.committed,
          logEnd: view.snapshot.partitions[row.partition].logEndOffset,
          consumerId: row.owner.memberId,
          clientId: row.owner.clientId,
          host: row.owner.host,
        }),
      );
      const java = describeGroupWithJava(testBrokers(), group).map((row) => ({
        partition: row.partition,
        committed: row.currentOffset,
        logEnd: row.logEndOffset,
        consumerId: row.consumerId,
        clientId: row.clientId,
        host: row.host,
      }));
      expect(mine).toEqual(java);
      expect(
        view.snapshot.partitions.map(({ partition, leader, replicas, isr }: { partition: number; leader: number; replicas: number[]; isr: number[] }) => ({
          partition,
          leader,
          replicas,
          isr,
        })),
      ).toEqual(describeTopicWithJava(topic));
    }

    const membersBefore = new Set(
      (await call('GET', `/api/topics/${encodeURIComponent(topic)}`)).body.snapshot.groups[0].members.map((member: { memberId: string }) => member.memberId),
    );
    const children = childPids(consume.child.pid ?? 0);
    expect(children).toHaveLength(3);
    process.kill(children[1] ?? 0, 'SIGKILL');

    // The supervisor restarts the child; the page's timeline shows the change and the owners come right again, under a new member.
    await vi.waitFor(
      async () => {
        const kinds = await page.locator('#timeline li').evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
        expect(kinds.some((kind) => kind === 'restart' || kind === 'member-left' || kind === 'member-joined' || kind === 'assignment')).toBe(true);
      },
      { timeout: 60_000, interval: 500 },
    );
    await vi.waitFor(
      async () => {
        const view = (await call('GET', `/api/topics/${encodeURIComponent(topic)}`)).body;
        const members = view.snapshot.groups[0].members.map((member: { memberId: string }) => member.memberId);
        expect(members).toHaveLength(3);
        expect(members.filter((id: string) => !membersBefore.has(id))).toHaveLength(1);
        expect(await ownersOnPage(page, group)).toEqual(expected);
      },
      { timeout: 90_000, interval: 500 },
    );
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'topic-view-after-restart.png'), fullPage: false });
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
    consume.child.kill('SIGTERM');
    expect((await consume.exited).code).toBe(0);
  });

  it('draws the lag of a slow consumer rising, then falling once it is fast again', async () => {
    const topic = await createTopic({ partitions: 1 });
    let delayMs = 2_000;
    const sink = createServer((request, response) => {
      request.resume();
      request.on('end', () => setTimeout(() => response.writeHead(200).end(), delayMs));
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', () => resolve()));
    onTestFinished(() => new Promise<void>((resolve) => sink.close(() => resolve())));
    const origin = `http://127.0.0.1:${(sink.address() as { port: number }).port}`;
    const { running, call } = await startTestAdmin({ httpAllow: [origin] });
    const group = `g-slow-${randomUUID().slice(0, 8)}`;
    const created = await call('POST', '/api/consumers', { topic, group, sinks: [{ type: 'http', url: `${origin}/batches` }] });
    expect(created.status).toBe(201);
    const { page } = await offlinePage();
    await page.goto(`${running.url}/topics/${encodeURIComponent(topic)}`);

    const lastLags = (): Promise<(number | null)[]> => page.evaluate('(window.__charts.lag.data[1] ?? []).slice(-5)') as Promise<(number | null)[]>;
    // 1,000 messages a second against a sink that takes 2 s per batch of at most 500: the lag can only grow.
    const producer = await createTestProducer();
    let producing = true;
    const loop = (async () => {
      while (producing) {
        await producer.send({ topic, messages: Array.from({ length: 250 }, (_, index) => ({ value: JSON.stringify({ index }) })) });
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    onTestFinished(async () => {
      producing = false;
      await loop;
    });
    let peak = 0;
    await vi.waitFor(
      async () => {
        const lags = (await lastLags()).filter((lag): lag is number => lag !== null);
        expect(lags.length).toBeGreaterThanOrEqual(3);
        expect(lags.at(-1)).toBeGreaterThan(3_000);
        expect(lags.at(-1)).toBeGreaterThan(lags[0] ?? 0);
        peak = lags.at(-1) ?? 0;
      },
      { timeout: 60_000, interval: 500 },
    );
    producing = false;
    await loop;
    delayMs = 0;
    await vi.waitFor(
      async () => {
        const lags = await lastLags();
        expect(lags.at(-1)).toBe(0);
      },
      { timeout: 60_000, interval: 500 },
    );
    expect(peak).toBeGreaterThan(0);
  });

  it.runIf(shouldRunWith('kcat', 'apt install kcat'))('shows a record kcat wrote, with its key and headers, never as HTML', async () => {
    const topic = await createTopic({ partitions: 1 });
    const value = '{"order":"<b>not bold</b>","amount":12.5}';
    const result = spawnSync('kcat', ['-P', '-b', testBrokers().join(','), '-t', topic, '-k', 'customer-7', '-H', 'h=v', '-H', 'trace=abc'], {
      input: `${value}\n`,
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    const { running } = await startTestAdmin();
    const { page, blocked } = await offlinePage();
    await page.goto(`${running.url}/topics/${encodeURIComponent(topic)}`);
    await page.locator('#browse-partition option').first().waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Read' }).click();
    const row = page.locator('#records tr[data-offset="0"]');
    await row.waitFor();
    expect(await row.locator('.key').textContent()).toBe('customer-7');
    expect(await row.locator('.headers').textContent()).toBe('h: vtrace: abc');
    expect(JSON.parse((await row.locator('.value pre').textContent()) ?? '')).toEqual(JSON.parse(value));
    expect(await row.locator('.value b').count()).toBe(0);
    expect(blocked).toEqual([]);
  });

  it('resets an empty group to the beginning by keyboard (preview, then confirm) and a consume reads everything again', async () => {
    const topic = await createTopic({ partitions: 2 });
    const group = `g-reset-${randomUUID().slice(0, 8)}`;
    await produce(topic, 20, 0);
    await produce(topic, 20, 1);
    const env = { KAFKA_BROKERS: testBrokers().join(',') };
    const first = await tempFolder('harness-live-first-');
    expect((await runCli('consumer/cli/cli.js', ['-t', topic, '-G', group, '-p', '1', '-e', '--out-dir', first], { env })).code).toBe(0);
    const { running, call } = await startTestAdmin();
    const { page, blocked, errors } = await offlinePage();
    await page.goto(`${running.url}/groups`);
    const section = page.locator(`section.group[data-group="${group}"]`);
    await expect.poll(() => section.locator('[data-testid="state"]').textContent(), { timeout: 20_000 }).toBe('Empty');
    expect(await section.locator('td.lag').allTextContents()).toEqual(['0', '0']);

    // Escape cancels without touching anything.
    await section.getByRole('button', { name: 'Reset offsets…' }).click();
    await page.keyboard.press('Escape');
    expect(await page.locator('#reset-dialog').getAttribute('open')).toBeNull();

    await section.getByRole('button', { name: 'Reset offsets…' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('reset-topic');
    // The topic is filled in with the group's, "the beginning" is the default: Enter previews.
    await page.keyboard.press('Enter');
    await page.locator('#reset-preview').waitFor();
    const preview = await page.locator('#reset-preview tbody tr').evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent)));
    expect(preview).toEqual([
      ['0', '20', '0'],
      ['1', '20', '0'],
    ]);
    // Nothing is committed by the preview.
    expect((await call('GET', `/api/monitor/consumer-group-offsets?group_id=${group}`)).body[topic]).toEqual({ 0: 20, 1: 20 });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#message').textContent(), { timeout: 20_000 }).toMatch(/offsets of .* reset \(p0 → 0, p1 → 0\)/);
    expect((await call('GET', `/api/monitor/consumer-group-offsets?group_id=${group}`)).body[topic]).toEqual({ 0: 0, 1: 0 });

    const second = await tempFolder('harness-live-second-');
    expect((await runCli('consumer/cli/cli.js', ['-t', topic, '-G', group, '-p', '1', '-e', '--out-dir', second], { env })).code).toBe(0);
    const lines = (await readFile(join(second, 'consumer-0.jsonl'), 'utf8')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(40);
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('refuses a reset while the group has members, with 409, as kafka-consumer-groups does', async () => {
    const topic = await createTopic({ partitions: 1 });
    const { call } = await startTestAdmin();
    const group = `g-busy-${randomUUID().slice(0, 8)}`;
    expect((await call('POST', '/api/consumers', { topic, group, sinks: [{ type: 'file', path: 'busy.jsonl' }] })).body.status).toBe('ACTIVE');
    await vi.waitFor(
      async () => expect((await call('GET', '/api/groups')).body.groups.find((entry: { group: string }) => entry.group === group)?.state).toBe('Stable'),
      {
        timeout: 30_000,
      },
    );
    for (const dryRun of [true, false]) {
      const refused = await call('POST', `/api/groups/${group}/reset-offsets`, { topic, to: 'beginning', dryRun });
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ state: 'Stable', group });
    }
    const crossSite = await call('POST', `/api/groups/${group}/reset-offsets`, { topic, to: 'end' }, { origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    expect((await call('POST', `/api/groups/${group}/reset-offsets`, { topic, to: 'offset' })).status).toBe(400);
  });

  it('is usable by keyboard and readable at 1280×800, offline', async () => {
    const topic = await createTopic({ partitions: 6 });
    await produce(topic, 120);
    const { running } = await startTestAdmin();
    const { page, blocked, errors } = await offlinePage();
    await page.goto(`${running.url}/topics/${encodeURIComponent(topic)}`);
    await expect.poll(() => page.locator('.lane').count(), { timeout: 20_000 }).toBe(6);
    expect(await page.evaluate('typeof window.uPlot')).toBe('function');
    const reached = new Set<string>();
    for (let index = 0; index < 30; index += 1) {
      await page.keyboard.press('Tab');
      reached.add(
        (await page.evaluate("(() => { const e = document.activeElement; return e ? e.getAttribute('name') || e.id || e.textContent : ''; })()")) as string,
      );
    }
    for (const control of ['lag-of', 'partition', 'from', 'value', 'limit', 'Read']) expect(reached).toContain(control);
    await mkdir(artifacts, { recursive: true });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(artifacts, 'topic-view-1280x800.png') });
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  });
});
