import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSink } from '../../../../../consumer/engine/sinks/file-sink.js';
import { JsonlFile } from '../../../../../consumer/engine/sinks/jsonl-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'harness-jsonl-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('JsonlFile', () => {
  it('appends to a file it creates, and to one that is there', async () => {
    const path = join(dir, 'sub', 'out.jsonl');
    const first = new JsonlFile(path);
    await first.open();
    await first.append([{ n: 1 }]);
    await first.close();
    const second = new JsonlFile(path);
    await second.open();
    await second.append([{ n: 2 }]);
    await second.close();
    expect(await readFile(path, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
  });

  it('refuses a symlink placed at its path (ELOOP) and writes nothing through it', async () => {
    const target = join(dir, 'elsewhere.txt');
    await writeFile(target, 'untouched\n');
    const path = join(dir, 'out.jsonl');
    await symlink(target, path);

    const file = new JsonlFile(path);
    const failure = file.open();
    await expect(failure).rejects.toMatchObject({ fields: { causeCode: 'ELOOP' }, message: `${path} is a symbolic link, which a sink never follows` });
    expect(await readFile(target, 'utf8')).toBe('untouched\n');
  });

  it('refuses a dangling symlink too, rather than creating its target', async () => {
    const target = join(dir, 'would-be-created.txt');
    const path = join(dir, 'out.jsonl');
    await symlink(target, path);

    await expect(new JsonlFile(path).open()).rejects.toMatchObject({ fields: { causeCode: 'ELOOP' } });
    await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('FileSink over a symlink', () => {
  it('fails to open with the same one-line reason, before reading or writing the target', async () => {
    const target = join(dir, 'secret.jsonl');
    const content = `${JSON.stringify({ topic: 't', partition: 0, offset: 99 })}\n`;
    await writeFile(target, content);
    const path = join(dir, 'consumer-0.jsonl');
    await symlink(target, path);

    const sink = new FileSink(path);
    await expect(sink.open()).rejects.toMatchObject({ fields: { causeCode: 'ELOOP' }, message: `${path} is a symbolic link, which a sink never follows` });
    expect(await readFile(target, 'utf8')).toBe(content);
  });
});
