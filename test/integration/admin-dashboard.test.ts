import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startTestAdmin } from './helpers/admin.js';
import { launchBrowser, shouldRunWithChromium } from './helpers/browser.js';
import { createTopic } from './helpers/kafka.js';

describe.runIf(shouldRunWithChromium('the dashboard test'))('the admin dashboard in a real browser', () => {
  it('creates, pauses, resumes and deletes a consumer by clicking', async () => {
    const topic = await createTopic({ partitions: 2 });
    const { running, call } = await startTestAdmin();
    const page = await (await launchBrowser()).newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${running.url}/`);
    await page.getByText('No consumers yet').waitFor();

    const name = `clicked-${randomUUID().slice(0, 8)}`;
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Topic').fill(topic);
    await page.getByLabel('Group').fill(`g-${name}`);
    await page.getByLabel('File (under OUTPUT_DIR)').fill(`dashboard/${name}.jsonl`);
    await page.getByRole('button', { name: 'Create and start' }).click();

    const row = page.locator(`tr[data-consumer="${name}"]`);
    const status = row.locator('[data-testid="status"]');
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('ACTIVE');
    await row.getByRole('button', { name: 'pause' }).click();
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('PAUSED');
    expect((await call('GET', '/api/consumers')).body[0]).toMatchObject({ name, status: 'PAUSED' });
    await row.getByRole('button', { name: 'resume' }).click();
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('ACTIVE');
    await row.getByRole('button', { name: 'delete' }).click();
    await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(0);
    expect((await call('GET', '/api/consumers')).body).toEqual([]);
    await expect.poll(() => page.locator('#message').textContent()).toBe(`${name}: delete done`);
  });

  it('refuses the changes a page on another origin makes the browser send, without a preflight', async () => {
    const topic = await createTopic({ partitions: 1 });
    const { running, call } = await startTestAdmin();
    const created = await call('POST', '/api/consumers', { topic, group: `g-${randomUUID()}`, sinks: [{ type: 'file', path: 'target.jsonl' }] });
    expect(created.body.status).toBe('ACTIVE');
    // Another server on this machine, as a page on any site would be: a different port is another origin.
    const attacker = createServer((_request, response) => void response.writeHead(200, { 'content-type': 'text/html' }).end('<title>elsewhere</title>'));
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', () => resolve()));
    onTestFinished(() => new Promise<void>((resolve) => attacker.close(() => resolve())));
    const page = await (await launchBrowser()).newPage();
    await page.goto(`http://127.0.0.1:${(attacker.address() as { port: number }).port}/`);

    const answered = page.waitForResponse((response) => response.url() === `${running.url}/api/consumers/stop-all`);
    // A simple request (no custom header): the browser sends it at once and only hides the answer from the page.
    await page.evaluate((url) => void fetch(url, { method: 'POST', mode: 'no-cors' }), `${running.url}/api/consumers/stop-all`);
    expect((await answered).status()).toBe(403);
    expect((await call('GET', `/api/consumers/${created.body.id}`)).body.status).toBe('ACTIVE');
  });

  it('shows why a consumer was not created', async () => {
    const { running } = await startTestAdmin();
    const page = await (await launchBrowser()).newPage();
    await page.goto(`${running.url}/`);
    await page.getByLabel('File (under OUTPUT_DIR)').fill('../outside.jsonl');
    await page.getByRole('button', { name: 'Create and start' }).click();
    await expect.poll(() => page.locator('#message').textContent()).toMatch(/^not created: file sink path "..\/outside.jsonl" leaves OUTPUT_DIR/);
  });
});
