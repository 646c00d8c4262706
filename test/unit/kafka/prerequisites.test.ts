import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assertPortsFree, findJava, isPortFree, parseJavaMajorVersion } from '../../../kafka/prerequisites.js';
import { ErrorCodes } from '../../../shared/errors.js';

describe('parseJavaMajorVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_292"', 8],
    ['openjdk version "11.0.2" 2019-01-15', 11],
  ])('%s → %i', (text, major) => {
    expect(parseJavaMajorVersion(text)).toBe(major);
  });

  it('returns undefined for text without a version', () => {
    expect(parseJavaMajorVersion('command not found')).toBeUndefined();
  });
});

describe('findJava', () => {
  it('says what to install when JAVA_HOME points nowhere', () => {
    expect(() => findJava('/nonexistent-jdk')).toThrow(/Java was not found at \/nonexistent-jdk\/bin\/java \(JAVA_HOME\): install Java 17\+/);
  });
});

describe('ports', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  it('sees a port that something listens on as taken, with a one-line way out', async () => {
    const listening = createServer();
    server = listening;
    const port = await new Promise<number>((resolve) => listening.listen(0, '127.0.0.1', () => resolve((listening.address() as { port: number }).port)));
    expect(await isPortFree(port, '127.0.0.1')).toBe(false);
    const error = await assertPortsFree([port], '127.0.0.1').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ErrorCodes.portInUse, fields: { port, host: '127.0.0.1' } });
    expect((error as Error).message).toMatch(new RegExp(`port ${port} on 127.0.0.1 is already in use.*--port`));
  });

  it('sees a port nobody uses as free', async () => {
    const listening = createServer();
    server = listening;
    const port = await new Promise<number>((resolve) => listening.listen(0, '127.0.0.1', () => resolve((listening.address() as { port: number }).port)));
    await new Promise<void>((done) => listening.close(() => done()));
    server = undefined;
    expect(await isPortFree(port, '127.0.0.1')).toBe(true);
  });
});
