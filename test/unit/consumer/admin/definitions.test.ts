import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSinkPath, defineConsumer, resolveSinkPath } from '../../../../consumer/admin/definitions.js';
import { HttpError } from '../../../../consumer/admin/problem.js';
import { ConsumerInputSchema } from '../../../../consumer/admin/schemas.js';
import { readAdminSettings } from '../../../../consumer/admin/settings.js';

const admin = { ...readAdminSettings({}), outputDir: '/srv/output', httpAllow: ['http://127.0.0.1:8081'] };
const context = { admin, brokers: ['127.0.0.1:9092'] };
const input = (overrides: Record<string, unknown> = {}) =>
  ConsumerInputSchema.parse({ topic: 'orders', group: 'g', sinks: [{ type: 'file', path: 'a.jsonl' }], ...overrides });

describe('resolveSinkPath', () => {
  it('keeps file sinks inside OUTPUT_DIR', () => {
    expect(resolveSinkPath('/srv/output', 'orders/a.jsonl')).toBe('/srv/output/orders/a.jsonl');
    expect(resolveSinkPath('/srv/output', 'x/../b.jsonl')).toBe('/srv/output/b.jsonl');
  });

  it.each(['../a.jsonl', 'x/../../a.jsonl', '/etc/passwd', '.', '', 'a\0b'])('refuses %j with a 400', (path) => {
    expect(() => resolveSinkPath('/srv/output', path)).toThrow(HttpError);
  });
});

describe('checkSinkPath', () => {
  let root: string;
  let outputDir: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'harness-sink-path-'));
    outputDir = join(root, 'output');
    await mkdir(join(outputDir, 'orders'), { recursive: true });
    await mkdir(join(root, 'elsewhere'));
    await symlink(join(root, 'elsewhere'), join(outputDir, 'escape'));
    await symlink(join(root, 'elsewhere', 'victim.jsonl'), join(outputDir, 'file-link.jsonl'));
    await symlink(join(root, 'nowhere', 'x.jsonl'), join(outputDir, 'dangling.jsonl'));
    await symlink(join(outputDir, 'orders'), join(outputDir, 'orders-link'));
    await symlink(outputDir, join(root, 'output-link'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('accepts paths inside OUTPUT_DIR, existing or not, and links that stay inside it', async () => {
    await expect(checkSinkPath(outputDir, 'orders/a.jsonl')).resolves.toBe(join(outputDir, 'orders/a.jsonl'));
    await expect(checkSinkPath(outputDir, 'new/folder/a.jsonl')).resolves.toBe(join(outputDir, 'new/folder/a.jsonl'));
    await expect(checkSinkPath(outputDir, 'orders-link/a.jsonl')).resolves.toBe(join(outputDir, 'orders-link/a.jsonl'));
  });

  it('accepts an OUTPUT_DIR that is itself a symlink', async () => {
    await expect(checkSinkPath(join(root, 'output-link'), 'orders/a.jsonl')).resolves.toBe(join(root, 'output-link', 'orders/a.jsonl'));
  });

  it.each(['escape/a.jsonl', 'escape/new/a.jsonl', 'file-link.jsonl', 'dangling.jsonl'])(
    'refuses %j, which a symlink leads out of OUTPUT_DIR, with a 400',
    async (path) => {
      await expect(checkSinkPath(outputDir, path)).rejects.toThrow(/leaves OUTPUT_DIR/);
    },
  );
});

describe('defineConsumer', () => {
  it("scopes topic and group to the server's HARNESS_USER, once", async () => {
    const scopedContext = { ...context, admin: { ...admin, user: 'alice' } };
    const definition = await defineConsumer(input(), scopedContext);
    expect(definition).toMatchObject({ topic: 'alice.orders', group: 'alice.g' });
    // A definition read back from the state file and updated keeps its names: no alice.alice.orders.
    const again = await defineConsumer(input({ topic: definition.topic, group: definition.group }), scopedContext, definition);
    expect(again).toMatchObject({ topic: 'alice.orders', group: 'alice.g' });
  });

  it('fills in the defaults: the configured brokers, a name from the id, INACTIVE', async () => {
    const definition = await defineConsumer(input(), context);
    expect(definition).toMatchObject({ brokers: ['127.0.0.1:9092'], status: 'INACTIVE', lastError: null });
    expect(definition.name).toBe(`consumer-${definition.id.slice(0, 8)}`);
  });

  it('refuses a URL whose origin is not allowed, and one that is only similar', async () => {
    await expect(defineConsumer(input({ sinks: [{ type: 'http', url: 'http://127.0.0.1:8081/in' }] }), context)).resolves.toMatchObject({
      sinks: [{ type: 'http', url: 'http://127.0.0.1:8081/in' }],
    });
    await expect(defineConsumer(input({ sinks: [{ type: 'http', url: 'http://127.0.0.1:8082/in' }] }), context)).rejects.toThrow(/not allowed/);
    await expect(defineConsumer(input({ sinks: [{ type: 'http', url: 'http://127.0.0.1.evil.example:8081/in' }] }), context)).rejects.toThrow(/not allowed/);
  });

  it('refuses an http URL with credentials in it, even on an allowed origin', async () => {
    const refused = defineConsumer(input({ sinks: [{ type: 'http', url: 'http://user:secret@127.0.0.1:8081/in' }] }), context);
    await expect(refused).rejects.toThrow(HttpError);
    await expect(refused).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/must not contain credentials/) });
    await expect(refused).rejects.not.toThrow(/secret/);
  });

  it('needs ADMIN_DATABASE_URL for a postgres sink', async () => {
    await expect(defineConsumer(input({ sinks: [{ type: 'postgres', table: 'orders' }] }), context)).rejects.toThrow(/ADMIN_DATABASE_URL/);
    await expect(
      defineConsumer(input({ sinks: [{ type: 'postgres', table: 'orders' }] }), { ...context, admin: { ...admin, databaseUrl: 'postgresql://x/y' } }),
    ).resolves.toMatchObject({ sinks: [{ type: 'postgres', table: 'orders' }] });
  });

  it('takes other brokers only from ADMIN_BROKER_ALLOW', async () => {
    await expect(defineConsumer(input({ brokers: ['10.1.1.1:9092'] }), context)).rejects.toThrow(/ADMIN_BROKER_ALLOW/);
    await expect(
      defineConsumer(input({ brokers: ['10.1.1.1:9092'] }), { ...context, admin: { ...admin, brokerAllow: ['10.1.1.1:9092'] } }),
    ).resolves.toMatchObject({ brokers: ['10.1.1.1:9092'] });
  });

  it('keeps id, name and creation time on update', async () => {
    const first = await defineConsumer(input({ name: 'keep' }), context);
    const second = await defineConsumer(input({ group: 'other' }), context, first);
    expect(second).toMatchObject({ id: first.id, name: 'keep', createdAt: first.createdAt, group: 'other' });
  });
});
