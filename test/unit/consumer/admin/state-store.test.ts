import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { StateStore } from '../../../../consumer/admin/state-store.js';

interface State {
  version: 1;
  consumers: { id: string; note: string }[];
}

function validateState(data: unknown): State {
  const candidate = data as Partial<State> | null;
  if (typeof candidate !== 'object' || candidate === null || candidate.version !== 1 || !Array.isArray(candidate.consumers)) {
    throw new Error('version must be 1 and consumers a list');
  }
  return candidate as State;
}

const stateWith = (count: number, note = 'n'): State => ({ version: 1, consumers: Array.from({ length: count }, (_, index) => ({ id: `c${index}`, note })) });

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'harness-state-'));
  path = join(dir, 'state.json');
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

const createStore = (at = path): StateStore<State> => new StateStore({ path: at, validate: validateState });

/** The path a problem message says the unreadable file was kept as. */
function keptAs(problem: string | undefined): string {
  const match = /; kept as (.+)$/.exec(problem ?? '');
  if (!match?.[1]) throw new Error(`no "kept as" in ${problem}`);
  return match[1];
}

describe('StateStore', () => {
  it('loads what it saved, also from a new instance', async () => {
    const store = createStore();
    await store.save(stateWith(2));
    expect(await store.load()).toStrictEqual({ state: stateWith(2) });
    expect(await createStore().load()).toStrictEqual({ state: stateWith(2) });
  });

  it('loads nothing, and reports no problem, when there is no file yet', async () => {
    expect(await createStore().load()).toStrictEqual({ state: undefined });
  });

  it('creates missing directories on save', async () => {
    const store = createStore(join(dir, 'admin', 'nested', 'state.json'));
    await store.save(stateWith(1));
    expect(await store.load()).toStrictEqual({ state: stateWith(1) });
  });

  it('writes what the state was when save was called, not after', async () => {
    const store = createStore();
    const state = stateWith(1);
    const saving = store.save(state);
    state.consumers.push({ id: 'late', note: 'n' });
    await saving;
    expect((await store.load()).state).toEqual(stateWith(1));
  });

  describe('atomic saves', () => {
    it('leave only the target in the directory', async () => {
      const store = createStore();
      await store.save(stateWith(1));
      await store.save(stateWith(2));
      expect(await readdir(dir)).toEqual(['state.json']);
    });

    it('never let a reader see a partly written file, even for a large state', async () => {
      const store = createStore();
      await store.save(stateWith(1));
      const large = stateWith(40_000, 'x'.repeat(200));
      let done = false;
      const saving = store.save(large).finally(() => {
        done = true;
      });
      const seen = new Set<number>();
      while (!done) seen.add(validateState(JSON.parse(await readFile(path, 'utf8'))).consumers.length);
      await saving;
      expect([...seen].every((count) => count === 1 || count === 40_000)).toBe(true);
      expect(seen.has(1)).toBe(true);
      expect((await store.load()).state?.consumers).toHaveLength(40_000);
    });

    it('run one at a time in call order, so of 20 concurrent saves the last issued wins', async () => {
      const store = createStore();
      const finished: number[] = [];
      await Promise.all(
        Array.from({ length: 20 }, (_, index) => store.save(stateWith(index + 1, 'y'.repeat(1_000 * ((index * 7) % 20)))).then(() => finished.push(index))),
      );
      expect(finished).toEqual(Array.from({ length: 20 }, (_, index) => index));
      expect((await store.load()).state).toEqual(stateWith(20, 'y'.repeat(1_000 * ((19 * 7) % 20))));
      expect(await readdir(dir)).toEqual(['state.json']);
    });

    it('refuse a state that would not load back, keep the old file, and let the next save through', async () => {
      const store = createStore();
      await store.save(stateWith(1));
      await expect(store.save({ version: 2 } as unknown as State)).rejects.toThrow(
        `refusing to save state to ${path}: it would not load back (version must be 1 and consumers a list)`,
      );
      expect((await store.load()).state).toEqual(stateWith(1));
      await store.save(stateWith(3));
      expect((await store.load()).state).toEqual(stateWith(3));
    });

    it('clean up the temp file when the rename fails', async () => {
      await mkdir(join(path, 'occupied'), { recursive: true });
      await expect(createStore().save(stateWith(1))).rejects.toThrow(`cannot save state to ${path}`);
      expect(await readdir(dir)).toEqual(['state.json']);
    });
  });

  describe('an unreadable file', () => {
    it('that is not JSON is kept aside byte for byte, and named in the problem', async () => {
      const original = Buffer.from('{"version": 1, "consumers": [');
      await writeFile(path, original);
      const { state, problem } = await createStore().load();
      expect(state).toBeUndefined();
      const aside = keptAs(problem);
      expect(aside).toMatch(/state\.json\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
      expect(problem).toMatch(new RegExp(`^state file ${path.replace(/[.\\]/g, '\\$&')} was unreadable \\(not JSON: .+\\); kept as `));
      expect(await readFile(aside)).toEqual(original);
      expect(await readdir(dir)).toEqual([aside.slice(dir.length + 1)]);
    });

    it('that fails validation is kept aside too, with the validator’s reason', async () => {
      const original = Buffer.from('{"version": 2, "consumers": []}\n');
      await writeFile(path, original);
      const { state, problem } = await createStore().load();
      expect(state).toBeUndefined();
      expect(problem).toContain(`state file ${path} was unreadable (invalid: version must be 1 and consumers a list); kept as ${path}.corrupt-`);
      expect(await readFile(keptAs(problem))).toEqual(original);
    });

    it('that is not UTF-8 is kept aside, though replacement characters would make it parse', async () => {
      const original = Buffer.from([...Buffer.from('{"version":1,"consumers":[],"x":"'), 0xff, ...Buffer.from('"}')]);
      await writeFile(path, original);
      const { state, problem } = await new StateStore({ path, validate: (data) => data }).load();
      expect(state).toBeUndefined();
      expect(problem).toMatch(/\(not JSON: /);
      expect(await readFile(keptAs(problem))).toEqual(original);
    });

    it('is never overwritten: the next save starts a new file, and a second bad file in the same millisecond gets its own name', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2025-01-02T03:04:05.678Z'));
      const store = createStore();
      await writeFile(path, 'first');
      const first = keptAs((await store.load()).problem);
      await writeFile(path, 'second');
      const second = keptAs((await store.load()).problem);
      expect(first).toBe(`${path}.corrupt-2025-01-02T03-04-05-678Z`);
      expect(second).toBe(`${first}-1`);
      await store.save(stateWith(1));
      expect((await store.load()).state).toEqual(stateWith(1));
      expect(await readFile(first, 'utf8')).toBe('first');
      expect(await readFile(second, 'utf8')).toBe('second');
    });

    it('gives a zod failure as one short line', async () => {
      await writeFile(path, JSON.stringify({ consumers: Array.from({ length: 50 }, () => ({ id: 1 })) }));
      const schema = z.object({ version: z.literal(1), consumers: z.array(z.object({ id: z.string() })) });
      const { problem } = await new StateStore({ path, validate: (data) => schema.parse(data) }).load();
      const reason = /\(invalid: (.*)\); kept as /.exec(problem ?? '')?.[1] ?? '';
      expect(reason).toMatch(/^\[ \{ .*…$/);
      expect(reason.length).toBeLessThanOrEqual(200);
      expect(problem).not.toContain('\n');
    });
  });

  it('reports a file it cannot read at all as an error, leaving it in place', async () => {
    await mkdir(path);
    await expect(createStore().load()).rejects.toThrow(`cannot read state file ${path}`);
    expect(await readdir(dir)).toEqual(['state.json']);
  });
});
