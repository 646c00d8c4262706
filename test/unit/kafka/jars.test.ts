import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths } from '../../../kafka/layout.js';
import { ensureJars } from '../../../kafka/prerequisites.js';
import { ErrorCodes } from '../../../shared/errors.js';
import { createRootLogger } from '../../../shared/logger.js';

// Maven Central can't be made unreachable from a test, so these stand in a script for mvn.
const log = createRootLogger({ level: 'silent' });
let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'harness-jars-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function fakeMaven(script: string): Promise<string> {
  const path = join(folder, 'mvn');
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('ensureJars', () => {
  it('says Maven is missing and what to do instead', async () => {
    const error = await ensureJars(homePaths(join(folder, 'home')), log, { mavenCommand: join(folder, 'no-such-mvn') }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ErrorCodes.mavenFailed });
    expect((error as Error).message).toMatch(/Maven \(mvn\) is not installed.*apt install maven.*docker compose up -d/);
  });

  it('reports an unreachable Maven Central in one line with its reason', async () => {
    const mvn = await fakeMaven(
      `echo "[ERROR] Failed to execute goal on project kafka-broker-libs: Could not transfer artifact org.apache.kafka:kafka_2.13:pom:4.3.1 from/to central: Connect to repo.maven.apache.org:443 failed: Connection refused"; exit 1`,
    );
    const paths = homePaths(join(folder, 'home'));
    const error = await ensureJars(paths, log, { mavenCommand: mvn }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(
      /^Maven could not fetch the Kafka jars from Maven Central \(Failed to execute goal.*Connection refused\): check the network/,
    );
  });

  it('leaves no half-downloaded libs folder behind', async () => {
    const mvn = await fakeMaven('exit 1');
    const paths = homePaths(join(folder, 'home'));
    await ensureJars(paths, log, { mavenCommand: mvn }).catch(() => {});
    await expect(import('node:fs/promises').then((fs) => fs.readdir(join(folder, 'home')).catch(() => []))).resolves.toEqual([]);
  });

  it('marks a complete download and reuses it', async () => {
    const mvn = await fakeMaven('for arg; do case "$arg" in -DoutputDirectory=*) touch "${arg#-DoutputDirectory=}/kafka_2.13-4.3.1.jar";; esac; done');
    const paths = homePaths(join(folder, 'home'));
    expect(await ensureJars(paths, log, { mavenCommand: mvn })).toBe('fetched');
    expect(await ensureJars(paths, log, { mavenCommand: join(folder, 'no-such-mvn') })).toBe('present');
  });

  it('removes the staging folder an interrupted download left behind, but not one still being written', async () => {
    const mvn = await fakeMaven('for arg; do case "$arg" in -DoutputDirectory=*) touch "${arg#-DoutputDirectory=}/kafka_2.13-4.3.1.jar";; esac; done');
    const home = join(folder, 'home');
    // Pid 2^22 + 1 is above Linux's pid_max, so no process has it: a download killed long ago.
    const abandoned = join(home, 'libs.partial-4194305');
    // The parent of this test process is alive: a download still running in another terminal.
    const inProgress = join(home, `libs.partial-${process.ppid}`);
    for (const staging of [abandoned, inProgress]) {
      await mkdir(staging, { recursive: true });
      await writeFile(join(staging, 'kafka_2.13-4.3.1.jar'), 'half a jar');
    }
    expect(await ensureJars(homePaths(home), log, { mavenCommand: mvn })).toBe('fetched');
    expect((await readdir(home)).sort()).toEqual(['libs', `libs.partial-${process.ppid}`]);
  });
});
