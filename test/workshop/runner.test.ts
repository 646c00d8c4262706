/**
 * `npm run exercise` end to end, as a learner runs it (node --import tsx workshop/runner/cli.ts), on
 * exercise 1, with a progress folder and a user name of its own so a real learner's progress and
 * topics are never touched. A learner's exercise.ts found there is put back when the file ends.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { projectRoot } from '../../shared/paths.js';
import { exercises } from '../../workshop/exercises.js';
import { exerciseFiles, isAvailable } from '../../workshop/lib/run-check.js';
import { removeUserAfterAll, testBrokers, testUser } from './helpers.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const user = testUser('runner');
removeUserAfterAll(user);
const stateDir = mkdtempSync(join(tmpdir(), 'workshop-state-'));
const meta = exercises.find((candidate) => candidate.id === 1);
const files = meta === undefined ? undefined : exerciseFiles(meta);

function startExercise(args: readonly string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'workshop/runner/cli.ts'), ...args, '--state-dir', stateDir, '--user', user, '--brokers', testBrokers().join(',')],
    { cwd: projectRoot, env: { ...process.env, LOG_FORMAT: 'json', FORCE_COLOR: '0' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Run>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    exited,
    get stdout() {
      return stdout;
    },
  };
}

function exercise(args: readonly string[]): Promise<Run> {
  return startExercise(args).exited;
}

describe.skipIf(meta === undefined || files === undefined || !isAvailable(meta))('npm run exercise', () => {
  let learnersCopy: string | undefined;

  beforeAll(() => {
    if (files !== undefined && existsSync(files.exercise)) {
      learnersCopy = readFileSync(files.exercise, 'utf8');
      rmSync(files.exercise);
    }
  });
  afterAll(() => {
    if (files === undefined) return;
    if (learnersCopy === undefined) rmSync(files.exercise, { force: true });
    else writeFileSync(files.exercise, learnersCopy);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('list shows every exercise with its status', async () => {
    const run = await exercise(['list']);
    expect(run.code).toBe(0);
    for (const each of exercises) expect(run.stdout).toContain(each.title);
    expect(run.stdout).toMatch(/1\s+Keys and partitions\s+\d+ min\s+not started/);
    expect(run.stdout).toContain('0 of 10 passed');
  });

  it('start 1 makes exercise.ts from start.ts and says which file to edit', async () => {
    const run = await exercise(['start', '1']);
    expect(run.code).toBe(0);
    expect(readFileSync(files?.exercise ?? '', 'utf8')).toBe(readFileSync(files?.start ?? '', 'utf8'));
    expect(run.stdout).toContain('workshop/01-keys-and-partitions/exercise.ts');
    expect(run.stdout).toContain('npm run exercise -- check 1');
  });

  it('check 1 on the untouched file exits 1 with a ✗ line, its expected and actual, and the seed', async () => {
    const run = await exercise(['check', '1']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ {2}✗ .+$/m);
    expect(run.stdout).toMatch(/^ {6}expected: .+$/m);
    expect(run.stdout).toMatch(/^ {6}actual: {3}.+$/m);
    expect(run.stdout).toMatch(/seed \d+/);
    expect((await exercise(['list'])).stdout).toMatch(/1\s+Keys and partitions\s+\d+ min\s+failing/);
  });

  it('check 1 --solution exits 0 with every item ✓, and does not count as a pass', async () => {
    const run = await exercise(['check', '1', '--solution']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('✗');
    expect(run.stdout).toContain('✓');
    expect((await exercise(['list'])).stdout).toMatch(/1\s+Keys and partitions\s+\d+ min\s+failing/);
  });

  it('hint 1 twice gives two different hints', async () => {
    const first = await exercise(['hint', '1']);
    const second = await exercise(['hint', '1']);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(first.stdout).toMatch(/^Hint 1 of \d+: /);
    expect(second.stdout).toMatch(/^Hint 2 of \d+: /);
    expect(second.stdout.replace(/^Hint \d+/, '')).not.toBe(first.stdout.replace(/^Hint \d+/, ''));
  });

  it('solution 1 is refused before a pass, and shown with --force after a warning', async () => {
    const refused = await exercise(['solution', '1']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('--force');
    const forced = await exercise(['solution', '1', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('before it passed');
    expect(forced.stdout).toContain(readFileSync(files?.solution ?? '', 'utf8').trim());
  });

  it('reset 1 restores exercise.ts from start.ts and keeps the old copy', async () => {
    const exerciseFile = files?.exercise ?? '';
    writeFileSync(exerciseFile, '// my attempt\n');
    const run = await exercise(['reset', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readFileSync(exerciseFile, 'utf8')).toBe(readFileSync(files?.start ?? '', 'utf8'));
    const kept = /is kept in (\S+)\./.exec(run.stdout)?.[1];
    expect(kept).toBeDefined();
    expect(readFileSync(kept ?? '', 'utf8')).toBe('// my attempt\n');
  });

  it('with no command, checks the current exercise, checks again on save, and stops cleanly on Ctrl-C', async () => {
    const exerciseFile = files?.exercise ?? '';
    const watching = startExercise([]);
    await vi.waitFor(() => expect(watching.stdout).toContain('not yet:'), { timeout: 60_000, interval: 200 });
    expect(watching.stdout).toContain('Exercise 1 · Keys and partitions');
    writeFileSync(exerciseFile, readFileSync(files?.solution ?? '', 'utf8'));
    await vi.waitFor(() => expect(watching.stdout).toContain('Exercise 1 passed!'), { timeout: 60_000, interval: 200 });
    watching.child.kill('SIGINT');
    const run = await watching.exited;
    expect(run.code).toBe(0);
    expect((await exercise(['list'])).stdout).toMatch(/1\s+Keys and partitions\s+\d+ min\s+passed/);
  });

  it.each([
    [['check', '99'], 'there is no exercise "99"'],
    [['frobnicate'], 'Unknown argument: frobnicate'],
    [['list', '--frob'], 'Unknown argument: frob'],
    [['check', '1', '--seed', 'x'], '--seed takes a whole number'],
  ])('%j exits 2 with one line', async (args, message) => {
    const run = await exercise(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^npm run exercise: error: /);
    expect(run.stderr).toContain(message);
  });
});
