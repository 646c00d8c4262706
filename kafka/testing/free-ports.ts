/**
 * Ports for a throwaway cluster, chosen at run time so that test runs side by side (two projects,
 * two CI jobs on one machine) never fight over 9092.
 */
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { ErrorCodes, HarnessError } from '../../shared/errors.js';
import { isPortFree } from '../prerequisites.js';
import { controllerPortOffset } from '../layout.js';

/** A port nothing listens on right now, as the kernel hands out for `listen(0)`. */
export function anyFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error(`no port from listen(0) on ${host}`))));
    });
  });
}

/** Every port a cluster planned from `basePort` uses (see planCluster in layout.ts). */
export function clusterPorts(basePort: number, nodeCount: number): number[] {
  const clients = Array.from({ length: nodeCount }, (_, index) => basePort + index);
  return [...clients, ...clients.map((port) => port + controllerPortOffset)];
}

export interface PickBasePortOptions {
  nodeCount: number;
  host: string;
  /** Candidates tried before giving up; each is one `listen(0)`. */
  attempts?: number;
  /**
   * Draw each candidate at random from these base ports (`high` excluded) instead of `listen(0)`:
   * keeps a cluster below the ephemeral range (32768+), or apart from another suite's clusters.
   */
  range?: { low: number; high: number };
  /** Stand-ins for tests: where candidates come from, and whether a port is free. */
  candidate?: (host: string) => Promise<number>;
  isFree?: (port: number, host: string) => Promise<boolean>;
}

/**
 * A first client port whose cluster's client and controller ports are all free. LocalCluster puts
 * node i on basePort + i - 1 and its controller 10,000 above, so the kernel's free port is only a
 * candidate: the ports beside it and above it must be free too, and the highest must exist.
 */
export async function pickBasePort(options: PickBasePortOptions): Promise<number> {
  const { nodeCount, host, attempts = 20, range, isFree = isPortFree } = options;
  const candidate = options.candidate ?? (range ? async () => randomInt(range.low, range.high) : anyFreePort);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const basePort = await candidate(host);
    const ports = clusterPorts(basePort, nodeCount);
    if (Math.max(...ports) > 65_535) continue;
    let allFree = true;
    for (const port of ports) {
      if (!(await isFree(port, host))) {
        allFree = false;
        break;
      }
    }
    if (allFree) return basePort;
  }
  throw new HarnessError(
    ErrorCodes.portInUse,
    `found no ${nodeCount * 2} free ports for a ${nodeCount}-node Kafka on ${host}${range ? ` from base ports ${range.low}-${range.high - 1}` : ''} in ${attempts} tries: too many ports are in use (ss -ltn shows them)`,
    { host },
  );
}
