/**
 * What `npm run doctor` checks, one result per line: each says what it found and, when something
 * is broken, the command that fixes it. Checks never throw: a failed probe is a result.
 */
import { lookup } from 'node:dns/promises';
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import type { Settings } from '../shared/config.js';
import { ErrorCodes, isHarnessError, messageOf } from '../shared/errors.js';
import { createKafka, explainKafkaError } from '../shared/kafka-client.js';
import type { Logger } from '../shared/logger.js';
import { projectRoot } from '../shared/paths.js';
import { describeSecurity, securityFromEnvironment, type SecuritySettings } from '../shared/security.js';
import { partitionCount } from '../shared/topics.js';
import { type AdvertisedBroker, addressOf, judgeAdvertisedListeners, Reachabilities, type Reachability } from './advertised-listeners.js';
import { type BrokerChoice, dockerEngineAnswers, selectBroker } from './broker-selection.js';
import { composeBrokers } from './compose.js';
import { verifyJars } from './jar-fetch.js';
import { readJarsLock } from './jars-lock.js';
import { bootstrapServers, controllerPortOffset, homePaths } from './layout.js';
import { type ClusterState, LocalCluster } from './local-cluster.js';
import { findJava, isPortFree, minimumJavaVersion } from './prerequisites.js';
import { securePaths, secureUser } from './secure-broker.js';

export const CheckStatuses = { ok: 'ok', warn: 'warn', fail: 'fail', info: 'info' } as const;
export type CheckStatus = (typeof CheckStatuses)[keyof typeof CheckStatuses];

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  /** The command or change that fixes it; set for fail and warn. */
  fix?: string;
}

/** Node's minimum, as package.json's engines field says. */
export const minimumNode = [20, 19] as const;
export const expectedPartitions = 6;
export const adminPort = 8080;
/** Below this much free space a broker's data and a producer run soon fill the disk. */
export const lowDiskBytes = 1024 ** 3;

const pathForUser = (path: string): string => {
  const fromProject = relative(projectRoot, path);
  return fromProject.startsWith('..') || fromProject === '' ? path : fromProject;
};

export function checkNode(version = process.versions.node): CheckResult {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const ok = major > minimumNode[0] || (major === minimumNode[0] && minor >= minimumNode[1]);
  const needed = `${minimumNode.join('.')}+`;
  return ok
    ? { name: 'Node.js', status: CheckStatuses.ok, detail: `${version} (${needed} needed)` }
    : {
        name: 'Node.js',
        status: CheckStatuses.fail,
        detail: `${version}, but ${needed} is needed`,
        fix: 'install Node.js 20.19+ (nvm install 20, or https://nodejs.org)',
      };
}

/** Java is what the local broker needs; with another broker in use, its absence is only a warning. */
export function checkJava(javaHome: string | undefined, neededForBroker: boolean): CheckResult {
  const name = 'Java';
  const missing = neededForBroker ? CheckStatuses.fail : CheckStatuses.warn;
  if (javaHome !== undefined && !existsSync(join(javaHome, 'bin', 'java'))) {
    // A JAVA_HOME set wrong is a mistake whichever broker is in use: Kafka's own tools would fail on it too.
    return {
      name,
      status: CheckStatuses.fail,
      detail: `JAVA_HOME is ${javaHome}, which has no bin/java`,
      fix: 'point JAVA_HOME at a JDK or JRE folder (the one holding bin/java), e.g. export JAVA_HOME=$(dirname $(dirname $(readlink -f $(which java)))), or unset JAVA_HOME',
    };
  }
  try {
    const java = findJava(javaHome);
    const where = javaHome ? `${java.path}, from JAVA_HOME` : 'java on PATH';
    return { name, status: CheckStatuses.ok, detail: `${java.majorVersion} (${where}; ${minimumJavaVersion}+ needed)` };
  } catch (error) {
    return {
      name,
      status: missing,
      detail: `${messageOf(error).split(':')[0]}${neededForBroker ? '' : ' (not needed for the broker in use)'}`,
      fix: `install Java ${minimumJavaVersion}+: apt install openjdk-17-jre-headless (or brew install openjdk@17)`,
    };
  }
}

export async function checkDocker(): Promise<CheckResult> {
  const answers = await dockerEngineAnswers();
  return {
    name: 'Docker',
    status: CheckStatuses.info,
    detail: answers ? 'an engine answers (docker compose up -d can run the broker)' : 'no engine answers (optional: the local broker needs only Java)',
  };
}

/** Free bytes on the file system holding `path`. */
export async function checkDisk(path = projectRoot): Promise<CheckResult> {
  const stats = await statfs(path);
  const free = stats.bavail * stats.bsize;
  const gib = (free / 1024 ** 3).toFixed(1);
  return free < lowDiskBytes
    ? {
        name: 'Disk',
        status: CheckStatuses.warn,
        detail: `${gib} GiB free in ${path}: a broker and a producer run can fill it`,
        fix: 'free some space (npm run kafka:down -- --wipe deletes the broker data; rm -rf output/)',
      }
    : { name: 'Disk', status: CheckStatuses.ok, detail: `${gib} GiB free in ${path}` };
}

export async function checkJars(libs: string, neededForBroker: boolean): Promise<CheckResult> {
  const name = 'Kafka jars';
  const lock = readJarsLock();
  const { missing, different } = await verifyJars(lock, libs);
  const where = pathForUser(libs);
  if (missing.length === 0 && different.length === 0) {
    return { name, status: CheckStatuses.ok, detail: `all ${lock.jars.length} in ${where} match kafka/jars.lock.json` };
  }
  const status = neededForBroker ? CheckStatuses.fail : CheckStatuses.warn;
  if (different.length > 0) {
    return {
      name,
      status,
      detail: `${different.length} of ${lock.jars.length} in ${where} differ from kafka/jars.lock.json (${different.slice(0, 2).join(', ')}${different.length > 2 ? ', …' : ''})`,
      fix: `rm -rf ${where} && npm run kafka:fetch`,
    };
  }
  return {
    name,
    status,
    detail:
      missing.length === lock.jars.length
        ? `not fetched yet (${where} has none of the ${lock.jars.length})`
        : `${missing.length} of ${lock.jars.length} missing in ${where} (${missing.slice(0, 2).join(', ')}${missing.length > 2 ? ', …' : ''})`,
    fix: missing.length === lock.jars.length ? 'npm run kafka:fetch' : `rm -rf ${where} && npm run kafka:fetch`,
  };
}

/** Whether this machine can resolve `host` and open a TCP connection to host:port. */
export async function probeAddress(host: string, port: number, timeoutMs = 2_000): Promise<Reachability> {
  try {
    await lookup(host);
  } catch {
    return Reachabilities.unresolvable;
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (result: Reachability): void => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(Reachabilities.reachable));
    socket.once('timeout', () => done(Reachabilities.unreachable));
    socket.once('error', () => done(Reachabilities.unreachable));
  });
}

interface BrokerProbe {
  advertised: AdvertisedBroker[];
  partitions: number | undefined;
}

/** Metadata only, with no retries: a broker that does not answer in a few seconds is reported as such. */
async function probeBroker(brokers: readonly string[], topic: string, log: Logger, security?: SecuritySettings): Promise<BrokerProbe> {
  const admin = createKafka({
    clientId: 'kafka-harness-doctor',
    brokers,
    log,
    ...(security === undefined ? {} : { security }),
    connectionTimeoutMs: 2_000,
    requestTimeoutMs: 5_000,
    retry: { retries: 0 },
  }).admin();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000);
  });
  try {
    return await Promise.race([
      (async () => {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return { advertised: cluster.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })), partitions: await partitionCount(admin, topic) };
      })(),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => {});
  }
}

const runtimeNames: Record<BrokerChoice['runtime'], string> = {
  external: 'the broker in KAFKA_BROKERS',
  compose: 'Docker Compose (docker-compose.yml)',
  testcontainers: 'testcontainers',
  jvm: 'the local JVM broker',
};

export interface DoctorOptions {
  /** The client port kafka:up would use (its --port); its controller port is 10,000 above. Default 9092. */
  clientPort?: number;
}

/** Every check, in the order a learner would fix them. */
export async function runChecks(settings: Settings, log: Logger, options: DoctorOptions = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [checkNode()];
  // Every broker check below connects this way: the environment's KAFKA_SECURITY_PROTOCOL… or --command-config.
  results.push({ name: 'Client security', status: CheckStatuses.info, detail: `${describeSecurity(settings.security)} (${settings.security.origin})` });
  const cluster = new LocalCluster({ home: settings.kafkaHome, log, javaHome: settings.javaHome, heapOpts: settings.kafkaHeapOpts });
  const state = await cluster.readState().catch(() => undefined);
  let choice: BrokerChoice | undefined;
  let selectionError: string | undefined;
  try {
    choice = await selectBroker({ purpose: 'cli', settings, localClusterExists: cluster.hasState() });
  } catch (error) {
    selectionError = messageOf(error);
  }
  // Without any way to run a broker, Java is the one to install.
  const local = choice === undefined || choice.runtime === 'jvm';
  results.push(checkJava(settings.javaHome, local));
  results.push(await checkDocker());

  const brokers = !choice
    ? settings.brokers
    : choice.runtime === 'external'
      ? choice.brokers
      : choice.runtime === 'compose'
        ? [...composeBrokers]
        : state
          ? bootstrapServers(state)
          : settings.brokers;
  let probe: BrokerProbe | undefined;
  if (!choice) {
    results.push({
      name: 'Broker',
      status: CheckStatuses.fail,
      detail: selectionError ?? 'no way to run Kafka here',
      fix: 'install Java 17+, then npm run kafka:up',
    });
  } else {
    const home = pathForUser(settings.kafkaHome);
    const which = `${runtimeNames[choice.runtime]}${choice.runtime !== 'jvm' ? '' : state ? ` (${home})` : ` (none started from ${home} yet)`}`;
    try {
      probe = await probeBroker(brokers, settings.topic, log);
      const nodes = probe.advertised.length;
      const answers = `${nodes} node${nodes === 1 ? '' : 's'} answer${nodes === 1 ? 's' : ''} at ${brokers.join(',')}`;
      results.push({ name: 'Broker', status: CheckStatuses.ok, detail: `${which}: ${answers}` });
    } catch (error) {
      // A broker that answers in another protocol, or refuses the login, is there: say what is wrong, as the commands do.
      const explained = explainKafkaError(error, brokers, settings.security);
      const securityCodes: readonly string[] = [ErrorCodes.authenticationFailed, ErrorCodes.tlsFailed, ErrorCodes.protocolMismatch];
      if (isHarnessError(explained) && securityCodes.includes(explained.code)) {
        results.push({
          name: 'Broker',
          status: CheckStatuses.fail,
          detail: `${which}: ${explained.message}`,
          fix: `check the client security settings (${settings.security.origin}): KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*, or --command-config FILE`,
        });
      } else
        results.push({
          name: 'Broker',
          status: CheckStatuses.fail,
          detail: `${which}: nothing answers at ${brokers.join(',')} (${messageOf(error)})`,
          fix:
            choice.runtime === 'external'
              ? `start the broker at ${brokers.join(',')}, or unset KAFKA_BROKERS to use the local one (npm run kafka:up)`
              : choice.runtime === 'compose'
                ? 'docker compose up -d (or npm run kafka:up)'
                : 'npm run kafka:up',
        });
    }
  }

  if (probe) {
    const reachability = new Map<string, Reachability>();
    for (const broker of probe.advertised) reachability.set(addressOf(broker), await probeAddress(broker.host, broker.port));
    const verdict = judgeAdvertisedListeners(brokers, probe.advertised, reachability);
    results.push({
      name: 'Advertised listeners',
      status: verdict.ok ? CheckStatuses.ok : CheckStatuses.fail,
      detail: verdict.detail,
      ...(verdict.fix ? { fix: verdict.fix } : {}),
    });
    const topic = settings.topic;
    if (probe.partitions === undefined) {
      results.push({ name: `Topic ${topic}`, status: CheckStatuses.fail, detail: 'does not exist', fix: 'npm run kafka:up (it creates the topic)' });
    } else if (probe.partitions !== expectedPartitions) {
      results.push({
        name: `Topic ${topic}`,
        status: CheckStatuses.warn,
        detail: `${probe.partitions} partitions; the commands and exercises expect ${expectedPartitions}`,
        fix: `npm run kafka:down -- --wipe && npm run kafka:up (a fresh ${topic} with ${expectedPartitions})`,
      });
    } else {
      results.push({ name: `Topic ${topic}`, status: CheckStatuses.ok, detail: `${expectedPartitions} partitions` });
    }
  }

  const secureListener = state ? await checkSecureListener(settings.kafkaHome, state, settings.topic, log) : undefined;
  if (secureListener) results.push(secureListener);

  results.push(...(await checkPorts(options.clientPort ?? 9092, cluster, state, local, probe !== undefined ? brokers : [], log)));
  results.push(await checkDisk());
  results.push(await checkJars(homePaths(settings.kafkaHome).libs, local));
  return results;
}

/**
 * kafka:up --secure: alice logs in over SASL_SSL with SCRAM-SHA-512 and the password kafka:up generated,
 * trusting its ca.pem, exactly as the lines kafka:up prints tell a client to.
 */
async function checkSecureListener(home: string, state: ClusterState, topic: string, log: Logger): Promise<CheckResult | undefined> {
  const node = state.nodes.find((candidate) => candidate.saslSslPort !== undefined);
  if (node?.saslSslPort === undefined) return undefined;
  const name = 'Secure listener';
  const address = `${state.host}:${node.saslSslPort}`;
  const paths = securePaths(home);
  const remake = 'npm run kafka:down -- --wipe && npm run kafka:up -- --secure (the CA, certificates and passwords are made again)';
  let security: SecuritySettings;
  try {
    security = securityFromEnvironment(
      {
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: secureUser,
        KAFKA_SASL_PASSWORD_FILE: paths.passwordFile,
        KAFKA_SSL_CA_FILE: paths.caPem,
      },
      home,
    );
  } catch (error) {
    return { name, status: CheckStatuses.fail, detail: `the files kafka:up --secure made are unusable: ${messageOf(error)}`, fix: remake };
  }
  try {
    await probeBroker([address], topic, log, security);
    return {
      name,
      status: CheckStatuses.ok,
      detail: `SASL_SSL at ${address}: ${secureUser} logs in with SCRAM-SHA-512, certificate trusted by ${pathForUser(paths.caPem)}`,
    };
  } catch (error) {
    return {
      name,
      status: CheckStatuses.fail,
      detail: `SASL_SSL at ${address}: ${messageOf(explainKafkaError(error, [address], security))}`,
      fix: `npm run kafka:up (if it is stopped), else ${remake}`,
    };
  }
}

/** The local broker's client and controller ports (9092 and 19092 by default) and 8080 (npm run admin). */
async function checkPorts(
  clientPort: number,
  cluster: LocalCluster,
  state: Awaited<ReturnType<LocalCluster['readState']>>,
  local: boolean,
  answeringBrokers: readonly string[],
  log: Logger,
): Promise<CheckResult[]> {
  const host = '127.0.0.1';
  const statuses = state ? await cluster.nodeStatuses(state).catch(() => []) : [];
  const results: CheckResult[] = [];
  let kafkaOnClientPort: boolean | undefined;
  const kafkaAnswersOnClientPort = async (): Promise<boolean> => {
    if (answeringBrokers.includes(`${host}:${clientPort}`) || answeringBrokers.includes(`localhost:${clientPort}`)) return true;
    kafkaOnClientPort ??= await probeBroker([`${host}:${clientPort}`], '__none__', log).then(
      () => true,
      () => false,
    );
    return kafkaOnClientPort;
  };
  for (const port of [clientPort, clientPort + controllerPortOffset, adminPort]) {
    const name = `Port ${port}`;
    if (await isPortFree(port, host)) {
      results.push({ name, status: CheckStatuses.ok, detail: port === adminPort ? 'free (for npm run admin)' : 'free' });
      continue;
    }
    const node = statuses.find((candidate) => candidate.pid !== undefined && (candidate.clientPort === port || candidate.controllerPort === port));
    if (node) {
      const role = node.clientPort === port ? 'client port' : 'controller port';
      results.push({ name, status: CheckStatuses.ok, detail: `in use by our local broker (node ${node.nodeId}'s ${role}, pid ${node.pid})` });
      continue;
    }
    if (port === adminPort) {
      results.push({
        name,
        status: CheckStatuses.warn,
        detail: 'in use by another process (an npm run admin already running?)',
        fix: `ss -ltnp 'sport = :${port}' shows which; or run the admin on another port: ADMIN_PORT=8081 npm run admin`,
      });
      continue;
    }
    if (await kafkaAnswersOnClientPort()) {
      const what = port === clientPort ? 'a Kafka broker that answers there' : `the controller of the Kafka broker on ${clientPort}`;
      const inTheWay = state === undefined && local;
      results.push({
        name,
        status: inTheWay ? CheckStatuses.warn : CheckStatuses.ok,
        detail: `in use by ${what}${inTheWay ? ', not one started from this KAFKA_HARNESS_HOME' : ''}`,
        ...(inTheWay ? { fix: `use it (export KAFKA_BROKERS=${host}:${clientPort}), or stop it before npm run kafka:up` } : {}),
      });
      continue;
    }
    results.push({
      name,
      status: local ? CheckStatuses.fail : CheckStatuses.warn,
      detail: 'in use by another process, so the local broker cannot start on it',
      fix: `ss -ltnp 'sport = :${port}' shows which: stop it, or start on other ports: npm run kafka:up -- --port 12092`,
    });
  }
  return results;
}
