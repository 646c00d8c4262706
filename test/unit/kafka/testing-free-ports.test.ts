import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { anyFreePort, clusterPorts, pickBasePort } from '../../../kafka/testing/free-ports.js';
import { ErrorCodes } from '../../../shared/errors.js';

const host = '127.0.0.1';

/** Candidates handed out in order, as listen(0) would. */
function candidates(...ports: number[]): () => Promise<number> {
  const queue = [...ports];
  return async () => {
    const next = queue.shift();
    if (next === undefined) throw new Error('the test ran out of candidates');
    return next;
  };
}

describe('clusterPorts', () => {
  it('lists each node’s client port and its controller port 10,000 above', () => {
    expect(clusterPorts(40_000, 3)).toEqual([40_000, 40_001, 40_002, 50_000, 50_001, 50_002]);
  });
});

describe('pickBasePort', () => {
  it('skips a candidate whose controller ports would pass 65535', async () => {
    const port = await pickBasePort({ nodeCount: 3, host, candidate: candidates(55_534, 41_000), isFree: async () => true });
    expect(port).toBe(41_000);
  });

  it('draws candidates from a range when given one', async () => {
    const tried: number[] = [];
    const isFree = async (port: number) => {
      tried.push(port);
      return true;
    };
    const port = await pickBasePort({ nodeCount: 2, host, range: { low: 20_000, high: 20_010 }, isFree });
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(20_010);
    expect(tried).toEqual(clusterPorts(port, 2));
  });

  it('skips a candidate when a port beside it or above it is taken', async () => {
    const taken = new Set([30_001, 50_000]);
    const port = await pickBasePort({
      nodeCount: 3,
      host,
      candidate: candidates(30_000, 40_000, 42_000),
      isFree: async (candidate) => !taken.has(candidate),
    });
    expect(port).toBe(42_000);
  });

  it('gives up with a portInUse error after its attempts', async () => {
    await expect(pickBasePort({ nodeCount: 1, host, attempts: 2, candidate: candidates(30_000, 30_001), isFree: async () => false })).rejects.toMatchObject({
      code: ErrorCodes.portInUse,
      message: expect.stringMatching(/found no 2 free ports for a 1-node Kafka on 127\.0\.0\.1 in 2 tries/),
    });
  });

  describe('with real sockets', () => {
    const servers: Server[] = [];
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((server) => new Promise<void>((done) => server.close(() => done()))));
    });

    const bind = (port: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen({ port, host, exclusive: true }, () => {
          servers.push(server);
          resolve();
        });
      });

    it('returns a base port whose client and controller ports can all be bound', async () => {
      const basePort = await pickBasePort({ nodeCount: 3, host });
      for (const port of clusterPorts(basePort, 3)) await bind(port);
      expect(servers).toHaveLength(6);
    });

    it('never hands out a port that is being listened on', async () => {
      const busy = await anyFreePort(host);
      await bind(busy);
      const basePort = await pickBasePort({ nodeCount: 1, host, candidate: candidates(busy, busy, await anyFreePort(host)) });
      expect(basePort).not.toBe(busy);
    });
  });
});
