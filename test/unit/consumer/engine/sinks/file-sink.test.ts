import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelopeLine, toEnvelope, type Envelope } from '../../../../../consumer/engine/envelope.js';
import { FileSink, lastWrittenOffsets } from '../../../../../consumer/engine/sinks/file-sink.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'harness-sink-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const envelope = (partition: number, offset: number): Envelope => ({ topic: 't', partition, offset, ts: 0, key: null, headers: {}, payload: { n: offset } });
const lines = async (path: string): Promise<Envelope[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Envelope);

describe('FileSink', () => {
  it('appends JSON Lines and makes them durable on flush', async () => {
    const sink = new FileSink(join(dir, 'out', 'consumer-0.jsonl'));
    await sink.open();
    expect(await sink.write([envelope(0, 0), envelope(1, 0)])).toEqual({ duplicates: 0 });
    await sink.flush();
    await sink.close();
    expect(await lines(sink.path)).toEqual([envelope(0, 0), envelope(1, 0)]);
  });

  it('skips what a previous run already wrote (a replay after an unclean stop)', async () => {
    const path = join(dir, 'consumer-0.jsonl');
    const first = new FileSink(path);
    await first.open();
    await first.write([envelope(0, 0), envelope(0, 1), envelope(1, 5)]);
    await first.close();

    const second = new FileSink(path);
    await second.open();
    expect(await second.write([envelope(0, 1), envelope(0, 2), envelope(1, 5), envelope(1, 6)])).toEqual({ duplicates: 2 });
    await second.close();
    expect((await lines(path)).map((entry) => `${entry.partition}/${entry.offset}`)).toEqual(['0/0', '0/1', '1/5', '0/2', '1/6']);
  });

  it('keeps each partition apart when a batch interleaves them, and envelopes from messages byte for byte', async () => {
    const path = join(dir, 'consumer-0.jsonl');
    const sink = new FileSink(path);
    await sink.open();
    await sink.write([envelope(0, 3), envelope(1, 1)]);
    expect(await sink.write([envelope(0, 3), envelope(1, 2), envelope(0, 4), envelope(1, 1), envelope(0, 2)])).toEqual({ duplicates: 3 });
    const text = '{"id":"é","n":[1,2]}';
    const message = { offset: '5', key: Buffer.from('k'), value: Buffer.from(text), timestamp: '7', attributes: 0, headers: { h: Buffer.from('v') } };
    const fromMessage = toEnvelope('t', 0, message, JSON.parse(text), text);
    await sink.write([fromMessage]);
    await sink.close();
    expect((await lines(path)).map((entry) => `${entry.partition}/${entry.offset}`)).toEqual(['0/3', '1/1', '1/2', '0/4', '0/5']);
    expect((await readFile(path, 'utf8')).split('\n').at(-2)).toBe(envelopeLine(fromMessage));
  });

  it('never takes a failed write for a written one: the retry fails too, rather than skipping it', async () => {
    // /dev/full answers every write with ENOSPC: a disk that is full, for real.
    const sink = new FileSink('/dev/full');
    await sink.open();
    await expect(sink.write([envelope(0, 0), envelope(0, 1)])).rejects.toThrow(/ENOSPC/);
    await expect(sink.write([envelope(0, 0), envelope(0, 1)])).rejects.toThrow(/ENOSPC/);
    await sink.close().catch(() => {});
  });

  it('refuses to open a path it cannot read, naming it, rather than taking it for a new file', async () => {
    // Tests run as root, where a mode of 000 stops no read: a folder in the file's place fails for anyone.
    const path = join(dir, 'taken.jsonl');
    await mkdir(path);
    const sink = new FileSink(path);
    await expect(sink.open()).rejects.toThrow(`file sink ${path} cannot be read: EISDIR`);
    await sink.close();
  });

  it('fails on a write after close rather than reopening', async () => {
    const sink = new FileSink(join(dir, 'x.jsonl'));
    await sink.open();
    await sink.close();
    await sink.close();
    await expect(sink.write([envelope(0, 9)])).rejects.toThrow(/is closed/);
  });
});

describe('lastWrittenOffsets', () => {
  it('ignores a line cut short by a crash', async () => {
    const path = join(dir, 'cut.jsonl');
    await appendFile(path, `${JSON.stringify(envelope(3, 41))}\n{"topic":"t","partition":3,"off`);
    expect(await lastWrittenOffsets(path)).toEqual(new Map([['t\u00003', 41]]));
  });

  it('is empty for a file that does not exist', async () => {
    expect((await lastWrittenOffsets(join(dir, 'missing.jsonl'))).size).toBe(0);
  });

  it('throws, with the path and the cause, for a file that exists but cannot be read', async () => {
    const folder = join(dir, 'folder.jsonl');
    await mkdir(folder);
    await expect(lastWrittenOffsets(folder)).rejects.toMatchObject({ message: expect.stringContaining(folder), fields: { causeCode: 'EISDIR' } });

    // A file where a folder should be: the path can't even be looked up.
    await writeFile(join(dir, 'plain'), '');
    const below = join(dir, 'plain', 'consumer-0.jsonl');
    await expect(lastWrittenOffsets(below)).rejects.toMatchObject({ message: expect.stringContaining(below), fields: { causeCode: 'ENOTDIR' } });
  });
});
