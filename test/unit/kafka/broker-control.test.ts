import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDown } from '../../../kafka/broker-control.js';
import { homePaths, nodePaths } from '../../../kafka/layout.js';
import { isAlive, writePidFile } from '../../../kafka/processes.js';
import { readSettings } from '../../../shared/config.js';
import { ExitCodes } from '../../../shared/errors.js';
import { createRootLogger } from '../../../shared/logger.js';

const log = createRootLogger({ level: 'silent' });
let home: string;
const started: ChildProcess[] = [];

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'harness-broker-control-'));
});

afterEach(async () => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
  vi.restoreAllMocks();
  await rm(home, { recursive: true, force: true });
});

/** A live process whose command line names `configPath`: what the pid check looks for in a node. */
function standInNode(configPath: string): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', configPath], { stdio: 'ignore' });
  started.push(child);
  if (child.pid === undefined) throw new Error('the stand-in node did not start');
  return child.pid;
}

describe('runDown (kafka:down)', () => {
  it('stops the nodes by their pid files and --wipe deletes a corrupt cluster.json', async () => {
    const paths = nodePaths(home, 1);
    const pid = standInNode(paths.config);
    await writePidFile(paths.pidFile, pid);
    await writeFile(homePaths(home).state, '{"kafkaVersion": "4.3.1", "nod');
    const printed = vi.spyOn(console, 'log').mockImplementation(() => {});

    const code = await runDown({ wipe: true, node: undefined }, readSettings({ KAFKA_HARNESS_HOME: home }), log);

    expect(code).toBe(ExitCodes.ok);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(homePaths(home).state)).toBe(false);
    expect(printed).toHaveBeenCalledWith(`Stopped node 1 (pid ${pid}).`);
  });
});
