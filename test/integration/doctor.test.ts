import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from './helpers/cli.js';

// Each case breaks one thing in the environment of `node dist/kafka/doctor.js` and looks for its ✗
// line and the fix below it. A broker advertising an unreachable host can't be staged here without
// a second, misconfigured Kafka; test/unit/kafka/advertised-listeners.test.ts covers that verdict.
const brokers = inject('brokers');
const runtime = inject('brokerRuntime');
// The tests' broker as the doctor should find it: the local one from the default home, or else named.
const healthyEnv = runtime === 'jvm' ? { KAFKA_BROKERS: undefined, KAFKA_BOOTSTRAP_SERVERS: undefined } : { KAFKA_BROKERS: brokers.join(',') };

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'harness-doctor-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const doctor = (env: Record<string, string | undefined>, args: string[] = []) =>
  runCli('kafka/doctor.js', args, { env: { ...healthyEnv, ...env }, timeoutMs: 60_000 });

/** The line of one check and the line after it (its fix, when there is one). */
function checkLines(stdout: string, name: string): [string, string] {
  const lines = stdout.split('\n');
  const index = lines.findIndex((line) => line.slice(2).startsWith(name));
  expect(index, `a "${name}" line in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  return [lines[index] ?? '', lines[index + 1] ?? ''];
}

describe('npm run doctor', () => {
  it('passes every check against the running broker and exits 0', async () => {
    const result = await doctor({});
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).not.toContain('✗');
    for (const name of ['Node.js', 'Broker', 'Advertised listeners', 'Topic test-topic', 'Disk']) expect(checkLines(result.stdout, name)[0]).toMatch(/^✓/);
    expect(result.stdout).toMatch(/\nReady( \(\d+ warnings?\))?\.\n$/);
  });

  it('reports a broker that does not answer, with the way out', async () => {
    const result = await doctor({ KAFKA_BROKERS: '127.0.0.1:1' });
    expect(result.code).toBe(1);
    const [line, fix] = checkLines(result.stdout, 'Broker');
    expect(line).toMatch(/^✗ Broker +the broker in KAFKA_BROKERS: nothing answers at 127\.0\.0\.1:1 \(.*ECONNREFUSED/);
    expect(fix).toMatch(/fix: start the broker at 127\.0\.0\.1:1, or unset KAFKA_BROKERS/);
    expect(result.stdout).toMatch(/1 problem: run the fix commands above/);
  });

  it('reports a JAVA_HOME without bin/java', async () => {
    const result = await doctor({ JAVA_HOME: folder });
    expect(result.code).toBe(1);
    const [line, fix] = checkLines(result.stdout, 'Java');
    // The column is as wide as the longest check name shown, which depends on what else was found.
    expect(line).toMatch(new RegExp(`^✗ Java +JAVA_HOME is ${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, which has no bin/java$`));
    expect(fix).toMatch(/fix: point JAVA_HOME at a JDK or JRE folder/);
  });

  it('reports jars not fetched yet in an empty KAFKA_HARNESS_HOME', async () => {
    const result = await doctor({ KAFKA_HARNESS_HOME: join(folder, 'empty-home') });
    expect(result.code).toBe(runtime === 'jvm' ? 1 : 0);
    const [line, fix] = checkLines(result.stdout, 'Kafka jars');
    expect(line).toMatch(new RegExp(`^[✗!] Kafka jars +not fetched yet \\(${join(folder, 'empty-home', 'libs')} has none of the \\d+\\)`));
    expect(fix).toMatch(/fix: npm run kafka:fetch$/);
  });

  describe('with the port kafka:up would use held by another program', () => {
    let holder: Server;
    beforeAll(async () => {
      // Not a Kafka stand-in: only a program sitting on the port. It hangs up at once, so the doctor's Kafka probe fails fast.
      holder = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
      await once(holder, 'listening');
    });
    afterAll(() => new Promise<void>((done) => holder.close(() => done())));

    it('says which port and how to find its owner', async () => {
      const port = (holder.address() as { port: number }).port;
      // The unused folder makes this home have no broker of its own, so the port is needed, not ours.
      const result = await doctor({ KAFKA_HARNESS_HOME: join(folder, 'empty-home') }, ['--port', String(port)]);
      const [line, fix] = checkLines(result.stdout, `Port ${port}`);
      expect(line).toMatch(/^[✗!] Port \d+ +in use by another process, so the local broker cannot start on it$/);
      expect(fix).toContain(`fix: ss -ltnp 'sport = :${port}' shows which`);
      // Broken when the local broker is the one in use; only a warning beside a broker named in KAFKA_BROKERS.
      expect(result.code).toBe(runtime === 'jvm' ? 1 : 0);
    });
  });

  it('prints the same checks as JSON with --json', async () => {
    const result = await doctor({ KAFKA_BROKERS: '127.0.0.1:1' }, ['--json']);
    const report = JSON.parse(result.stdout) as { healthy: boolean; checks: { name: string; status: string; fix?: string }[] };
    expect(report.healthy).toBe(false);
    expect(report.checks.find((check) => check.name === 'Broker')).toMatchObject({ status: 'fail', fix: expect.stringContaining('unset KAFKA_BROKERS') });
  });

  it('rejects an unknown flag as a usage error', async () => {
    const result = await doctor({}, ['--nodes', '3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^npm run doctor: error: Unknown argument: nodes\n/);
  });
});
