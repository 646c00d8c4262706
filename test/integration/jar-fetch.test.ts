import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyJars } from '../../kafka/jar-fetch.js';
import { readJarsLock } from '../../kafka/jars-lock.js';
import { homePaths } from '../../kafka/layout.js';
import { findJava } from '../../kafka/prerequisites.js';
import { runCli } from './helpers/cli.js';

// The real download from Maven Central (about 56 MB), once per run, on a PATH that holds only node
// and java: it proves Java is the only prerequisite of the local broker and Maven is not needed.
let folder: string;
let bin: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'harness-jar-fetch-'));
  bin = join(folder, 'bin');
  await mkdir(bin);
  await symlink(process.execPath, join(bin, 'node'));
  const java = spawnSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).stdout.trim() || findJava(undefined).path;
  await symlink(java, join(bin, 'java'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('npm run kafka:fetch without Maven', () => {
  it('downloads every locked jar from Maven Central and each matches its SHA-256', async () => {
    // The premise: no mvn can be found on this PATH, so a success can't have come from Maven.
    const lookUp = (command: string) => spawnSync('/bin/sh', ['-c', `command -v ${command}`], { env: { PATH: bin } }).status;
    expect(lookUp('node')).toBe(0);
    expect(lookUp('mvn')).not.toBe(0);
    const home = join(folder, 'home');
    const result = await runCli('kafka/fetch.js', [], {
      env: { PATH: bin, KAFKA_HARNESS_HOME: home, JAVA_HOME: undefined, MAVEN_REPOSITORY_URL: undefined },
      timeoutMs: 170_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`Fetched Kafka 4.3.1 into ${join(home, 'libs')}.\n`);
    expect(result.stderr).not.toMatch(/Maven/);
    expect(await verifyJars(readJarsLock(), homePaths(home).libs)).toEqual({ missing: [], different: [] });

    const again = await runCli('kafka/fetch.js', [], { env: { PATH: bin, KAFKA_HARNESS_HOME: home }, timeoutMs: 30_000 });
    expect(again.stdout).toBe(`Kafka 4.3.1 jars are already in ${join(home, 'libs')}.\n`);
  });
});
