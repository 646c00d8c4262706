/**
 * The "localhost versus container name" trap: a broker answers the bootstrap address, but its
 * metadata tells clients to use another host:port (its advertised listener), and every request after
 * the first goes there. If this machine can't resolve or reach that address, clients connect and
 * then hang or fail. Pure, so each verdict is unit-tested without a misconfigured broker.
 */

export interface AdvertisedBroker {
  nodeId: number;
  host: string;
  port: number;
}

/** What this machine found when it tried an advertised address. */
export const Reachabilities = { reachable: 'reachable', unresolvable: 'unresolvable', unreachable: 'unreachable' } as const;
export type Reachability = (typeof Reachabilities)[keyof typeof Reachabilities];

export interface ListenerVerdict {
  ok: boolean;
  detail: string;
  /** What to change, when not ok. */
  fix?: string;
}

export const addressOf = (broker: Pick<AdvertisedBroker, 'host' | 'port'>): string => `${broker.host}:${broker.port}`;

/**
 * @param bootstrap the addresses the client was given (KAFKA_BROKERS or the default)
 * @param advertised the brokers the cluster's metadata names
 * @param reachability per advertised `host:port`, what this machine found; a missing entry counts as reachable
 */
export function judgeAdvertisedListeners(
  bootstrap: readonly string[],
  advertised: readonly AdvertisedBroker[],
  reachability: ReadonlyMap<string, Reachability>,
): ListenerVerdict {
  if (advertised.length === 0) return { ok: false, detail: 'the broker answered but its metadata names no broker', fix: 'check the broker log' };
  const addresses = advertised.map(addressOf);
  const given = new Set(bootstrap.map((address) => address.toLowerCase()));
  const broken = advertised.filter((broker) => (reachability.get(addressOf(broker)) ?? Reachabilities.reachable) !== Reachabilities.reachable);
  if (broken.length > 0) {
    const why = broken
      .map(
        (broker) =>
          `${addressOf(broker)} ${reachability.get(addressOf(broker)) === Reachabilities.unresolvable ? 'does not resolve' : 'does not accept connections'}`,
      )
      .join(', ');
    const firstHost = broken[0]?.host ?? '';
    return {
      ok: false,
      detail: `the broker answers at ${bootstrap.join(',')} but tells clients to use ${addresses.join(',')}, and from here ${why}: clients connect, then fail`,
      fix: `advertise an address clients can reach (advertised.listeners=PLAINTEXT://127.0.0.1:<port>; in Docker, the published host port, not the container name), or make ${firstHost} resolve here (a line in /etc/hosts)`,
    };
  }
  if (addresses.every((address) => given.has(address.toLowerCase()))) {
    return { ok: true, detail: `${addresses.join(',')}, the address${addresses.length === 1 ? '' : 'es'} clients were given` };
  }
  return { ok: true, detail: `${addresses.join(',')} (clients were given ${bootstrap.join(',')}), reachable from here` };
}
