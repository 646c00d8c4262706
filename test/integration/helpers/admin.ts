/**
 * An admin server for a test: in this process, on a free port, with its own state file and output
 * folder; stopped (consumers flushed and committed) when the test ends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { startAdminServer, type RunningAdmin } from '../../../consumer/admin/server.js';
import { readAdminSettings, type AdminSettings } from '../../../consumer/admin/settings.js';
import { testBrokers, testLog } from './kafka.js';

export interface TestAdmin {
  running: RunningAdmin;
  settings: AdminSettings;
  /** fetch() against the server, JSON in and out. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: each route answers another shape; a test reads the fields it checks and its expect() validates them.
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

export async function tempFolder(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function startTestAdmin(overrides: Partial<AdminSettings> = {}): Promise<TestAdmin> {
  const base = readAdminSettings({});
  const dir = overrides.stateFile ? undefined : await tempFolder('harness-admin-');
  const settings: AdminSettings = {
    ...base,
    port: 0,
    stateFile: dir ? join(dir, 'state.json') : base.stateFile,
    outputDir: dir ? join(dir, 'output') : base.outputDir,
    ...overrides,
  };
  const running = await startAdminServer(settings, testBrokers(), testLog);
  onTestFinished(() => running.close());
  return {
    running,
    settings,
    async call(method, path, body, headers = {}) {
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (metrics, pages)
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
  };
}
