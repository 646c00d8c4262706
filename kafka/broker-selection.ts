/**
 * Decides where the Kafka broker comes from, for the CLIs, the demo and the tests alike:
 * KAFKA_BROKERS set → that broker, as is; else a local JVM cluster this harness already set up, or
 * a shape only it can run (several nodes, other ports) → the local JVM broker; else a Docker engine
 * that answers → Compose (CLIs) or testcontainers (tests); else Java → the local JVM broker; else a
 * message naming all three ways.
 */
import { spawn } from 'node:child_process';
import { javaPresent } from './prerequisites.js';
import { ErrorCodes, HarnessError } from '../shared/errors.js';
import type { Settings } from '../shared/config.js';

/** What a user may ask for with --runtime. */
export const RequestedRuntimes = { auto: 'auto', jvm: 'jvm', docker: 'docker' } as const;
export type RequestedRuntime = (typeof RequestedRuntimes)[keyof typeof RequestedRuntimes];
export const allowedRequestedRuntimes: readonly RequestedRuntime[] = Object.values(RequestedRuntimes);

export type BrokerChoice = { runtime: 'external'; brokers: readonly string[] } | { runtime: 'compose' } | { runtime: 'testcontainers' } | { runtime: 'jvm' };

export interface SelectionProbes {
  dockerEngineAnswers(): Promise<boolean>;
  javaPresent(): boolean;
}

export interface SelectionRequest {
  purpose: 'cli' | 'test';
  requested?: RequestedRuntime;
  settings: Pick<Settings, 'brokers' | 'brokersFromEnvironment' | 'javaHome'>;
  /**
   * A local JVM cluster was set up in the harness home (its cluster.json exists). kafka:down and
   * kafka:status act on it, so kafka:up must start that one too, not a Compose broker beside it.
   */
  localClusterExists?: boolean;
  /** --nodes asked for: docker-compose.yml runs one node. */
  nodes?: number | undefined;
  /** --port asked for: docker-compose.yml publishes 9092 only. */
  basePort?: number | undefined;
  probes?: SelectionProbes;
}

export const noBrokerMessage =
  'no way to run Kafka here: set KAFKA_BROKERS=host:port to use a running broker, or start Docker (then docker compose up -d), or install Java 17+ for the local broker (npm run kafka:up)';

/** `docker info` succeeds only when an engine answers; the client alone is not enough. */
export function dockerEngineAnswers(timeoutMs = 5_000): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: timeoutMs });
    child.once('error', () => resolve(false));
    child.once('close', (code) => resolve(code === 0));
  });
}

export async function selectBroker(request: SelectionRequest): Promise<BrokerChoice> {
  const { settings, purpose, requested = RequestedRuntimes.auto } = request;
  const probes = request.probes ?? { dockerEngineAnswers, javaPresent: () => javaPresent(settings.javaHome) };
  const docker: BrokerChoice = purpose === 'cli' ? { runtime: 'compose' } : { runtime: 'testcontainers' };

  if (requested === RequestedRuntimes.jvm) return { runtime: 'jvm' };
  if (requested === RequestedRuntimes.docker) {
    if (await probes.dockerEngineAnswers()) return docker;
    throw new HarnessError(ErrorCodes.noBroker, 'no Docker engine answers (docker info fails): start Docker, or use the local JVM broker (--runtime jvm)');
  }
  if (settings.brokersFromEnvironment) return { runtime: 'external', brokers: settings.brokers };
  const onlyLocalCanDoIt = (request.nodes ?? 1) > 1 || request.basePort !== undefined;
  if (request.localClusterExists || onlyLocalCanDoIt) return { runtime: 'jvm' };
  if (await probes.dockerEngineAnswers()) return docker;
  if (probes.javaPresent()) return { runtime: 'jvm' };
  throw new HarnessError(ErrorCodes.noBroker, noBrokerMessage);
}
