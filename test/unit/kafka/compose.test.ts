import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeKafkaRunning } from '../../../kafka/compose.js';

// No Docker engine here: a script stands in for the docker CLI and records what it was asked.
let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'harness-compose-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function fakeDocker(printed: string): Promise<string> {
  const path = join(folder, 'docker');
  await writeFile(path, `#!/bin/sh\necho "$@" > ${join(folder, 'args')}\nprintf '${printed}'\n`);
  await chmod(path, 0o755);
  return path;
}

describe('composeKafkaRunning', () => {
  it('sees the kafka service running when docker compose ps lists its container', async () => {
    const dockerCommand = await fakeDocker('3f2a9c1be0d4\\n');
    expect(await composeKafkaRunning({ dockerCommand })).toBe(true);
    expect(await readFile(join(folder, 'args'), 'utf8')).toMatch(/^compose -f \S+docker-compose\.yml ps --quiet --status running kafka$/m);
  });

  it('sees it stopped when the list is empty, so kafka:up starts it', async () => {
    expect(await composeKafkaRunning({ dockerCommand: await fakeDocker('') })).toBe(false);
  });
});
