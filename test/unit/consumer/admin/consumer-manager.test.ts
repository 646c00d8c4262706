import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsumerManager } from '../../../../consumer/admin/consumer-manager.js';
import { AdminStateSchema, ConsumerInputSchema, type AdminState, type StoredConsumer } from '../../../../consumer/admin/schemas.js';
import { StateStore } from '../../../../consumer/admin/state-store.js';
import { readAdminSettings, type AdminSettings } from '../../../../consumer/admin/settings.js';
import { createRootLogger } from '../../../../shared/logger.js';

// No broker here: every consumer in these tests is refused or never started before it would connect.
const log = createRootLogger({ level: 'silent' });
const brokers = ['127.0.0.1:9092'];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'harness-manager-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function createManager(overrides: Partial<AdminSettings> = {}): ConsumerManager {
  const admin: AdminSettings = { ...readAdminSettings({}), stateFile: join(dir, 'state.json'), outputDir: join(dir, 'output'), ...overrides };
  const store = new StateStore<AdminState>({ path: admin.stateFile, validate: (data) => AdminStateSchema.parse(data) });
  return new ConsumerManager({ context: { admin, brokers }, store, log });
}

const input = (overrides: Record<string, unknown> = {}) =>
  ConsumerInputSchema.parse({ topic: 'orders', group: 'g', autoStart: false, sinks: [{ type: 'file', path: 'a.jsonl' }], ...overrides });

function stored(overrides: Partial<StoredConsumer>): StoredConsumer {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    name: `c-${randomUUID().slice(0, 8)}`,
    brokers,
    topic: 'orders',
    group: 'g',
    sinks: [{ type: 'file', path: 'a.jsonl' }],
    status: 'ACTIVE',
    createdAt: now,
    updatedAt: now,
    lastError: null,
    ...overrides,
  };
}

describe('ConsumerManager', () => {
  it('answers every change with a 503 once close() has begun', async () => {
    const manager = createManager();
    const consumer = await manager.create(input({ name: 'before' }));
    await manager.close();
    const refusals = [
      manager.create(input({ name: 'after' })),
      manager.act(consumer.id, 'start'),
      manager.update(consumer.id, input()),
      manager.remove(consumer.id),
      manager.stopAll(),
    ];
    for (const refusal of refusals) await expect(refusal).rejects.toMatchObject({ status: 503, message: 'the server is shutting down' });
    expect(manager.list().map((each) => each.definition.name)).toEqual(['before']);
  });

  it('refuses a transition that was queued behind the close, so nothing starts after the state is saved', async () => {
    const manager = createManager();
    const consumer = await manager.create(input());
    const closing = manager.close();
    // A request that passed the manager's check just before close(), as an in-flight one can.
    await expect(consumer.act('start')).rejects.toMatchObject({ status: 503 });
    await closing;
    expect(consumer.status).toBe('INACTIVE');
  });

  it('does not start a consumer that a delete queued before the start removed', async () => {
    const manager = createManager();
    const consumer = await manager.create(input());
    const removing = manager.remove(consumer.id);
    await expect(consumer.act('start')).rejects.toMatchObject({ status: 404 });
    await removing;
    expect(manager.list()).toEqual([]);
    expect(consumer.status).toBe('INACTIVE');
  });

  it('checks restored definitions against the settings of this run, and marks refused ones ERROR with the reason', async () => {
    await mkdir(join(dir, 'output'), { recursive: true });
    await symlink(tmpdir(), join(dir, 'output', 'escape'));
    const consumers = [
      stored({ name: 'postgres', sinks: [{ type: 'postgres', table: 'orders' }] }),
      stored({ name: 'http', sinks: [{ type: 'http', url: 'http://127.0.0.1:8081/in' }] }),
      stored({ name: 'broker', brokers: ['10.9.9.9:9092'] }),
      stored({ name: 'symlink', status: 'PAUSED', sinks: [{ type: 'file', path: 'escape/a.jsonl' }] }),
    ];
    await writeFile(join(dir, 'state.json'), JSON.stringify({ version: 1, consumers }));
    // Started before with ADMIN_DATABASE_URL, ADMIN_HTTP_ALLOW and ADMIN_BROKER_ALLOW; now without them.
    const manager = createManager();
    await manager.restore();

    const reasons = Object.fromEntries(manager.list().map((consumer) => [consumer.definition.name, consumer.definition.lastError?.message]));
    expect(manager.list().map((consumer) => consumer.status)).toEqual(['ERROR', 'ERROR', 'ERROR', 'ERROR']);
    expect(reasons).toEqual({
      postgres: expect.stringMatching(/need the server started with ADMIN_DATABASE_URL/),
      http: expect.stringMatching(/http sink URL http:\/\/127\.0\.0\.1:8081 is not allowed/),
      broker: expect.stringMatching(/brokers 10\.9\.9\.9:9092 are not allowed/),
      symlink: expect.stringMatching(/file sink path "escape\/a\.jsonl" leaves OUTPUT_DIR/),
    });
    await manager.close();
    const saved = AdminStateSchema.parse(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')));
    expect(saved.consumers.map((consumer) => consumer.status)).toEqual(['ERROR', 'ERROR', 'ERROR', 'ERROR']);
  });
});
