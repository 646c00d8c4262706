/**
 * The nine faults. Each starts the producer and a 3-process consumer (or the admin server) as a user
 * would, injects one fault mid-stream, restarts only what a user would restart, and counts ids.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { isAlive } from '../../kafka/processes.js';
import { anyFreePort } from '../../kafka/testing/free-ports.js';
import { ErrorCodes, HarnessError, messageOf } from '../../shared/errors.js';
import { childPids } from '../bench/lib/measure.js';
import { committedTotal, fileSizes, readJsonlFiles, readTable } from './lib/counting.js';
import { exitWithin, type RunningCli } from './lib/processes.js';
import { type Outcome, Stage, type SuiteContext } from './lib/stage.js';

export interface Scenario {
  id: number;
  title: string;
  run(ctx: SuiteContext): Promise<Outcome>;
}

/** Where the messages stand when a fault is injected: far enough in, with plenty still to come. */
const faultAt = 0.3;
const consumerSessionTimeoutMs = 10_000;
const producerGraceMs = 30_000;
/** Trust auth, but a user name is still needed: the suite runs as root, which has no role. */
export const postgresUrl = 'postgresql://postgres@127.0.0.1:5432/test';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The consumer's files as one sink: the children split the partitions, so together they hold each message once. */
async function consumerSink(stage: Stage): Promise<{ name: string; tally: Awaited<ReturnType<typeof readJsonlFiles>> }> {
  return { name: 'consumer files', tally: await readJsonlFiles(stage.consumerFiles) };
}

/** A stage with its cleanup: the suite's admin client is closed whatever happens. */
async function onStage<T>(ctx: SuiteContext, id: number, nodes: 1 | 3, work: (stage: Stage) => Promise<T>): Promise<T> {
  const cluster = nodes === 1 ? await ctx.singleNode() : await ctx.threeNodes();
  const stage = await Stage.create(ctx, cluster, id, nodes === 1 ? { replicationFactor: 1 } : { replicationFactor: 3, minInsyncReplicas: 2 });
  try {
    return await work(stage);
  } finally {
    await stage.close();
  }
}

/** The usual ending: the producer finishes, the consumer catches up and is stopped with Ctrl-C. */
async function settle(stage: Stage, producer: RunningCli, consumer: RunningCli): Promise<void> {
  stage.ctx.step('waiting for the producer to finish');
  const run = await stage.producerDone(producer);
  stage.check(
    'the producer exits 0 (nothing failed or unconfirmed)',
    run.exitCode === 0,
    `exit ${run.exitCode}, failed ${run.report.failed}, unconfirmed ${run.report.unconfirmed}`,
  );
  stage.ctx.step('waiting for the consumer to catch up');
  await stage.untilCaughtUp();
  await stage.stopConsumer(consumer);
}

const consumerSigint: Scenario = {
  id: 1,
  title: 'SIGINT to the consumer parent, restart with -o stored',
  run: (ctx) =>
    onStage(ctx, 1, 1, async (stage) => {
      const producer = stage.startProducer(ctx.count);
      const first = stage.startConsumer();
      ctx.step('waiting for the consumer to be 30 % in');
      await stage.untilCommitted(faultAt);
      const faultAt0 = performance.now();
      first.child.kill('SIGINT');
      const exit = await exitWithin(first, 60_000);
      stage.check('the consumer exits 0 on Ctrl-C mid-stream', exit?.code === 0, `exit ${exit ? (exit.code ?? exit.signal) : 'none within 60 s'}`);
      const baseline = await fileSizes(stage.consumerFiles);
      ctx.step('restarting the consumer (-o stored)');
      const second = stage.startConsumer();
      const recoveryMs = await stage.untilGrown('every consumer file to grow after the restart', stage.fileProbe(), baseline, faultAt0);
      stage.notes.push(`stopped cleanly in ${seconds(recoveryMs)} including the restart; the restart went on from the group's commits`);
      await settle(stage, producer, second);
      return stage.count(consumerSigint.title, [await consumerSink(stage)], recoveryMs);
    }),
};

const childSigkill: Scenario = {
  id: 2,
  title: 'SIGKILL of one consumer child',
  run: (ctx) =>
    onStage(ctx, 2, 1, async (stage) => {
      const producer = stage.startProducer(ctx.count);
      const consumer = stage.startConsumer();
      ctx.step('waiting for the consumer to be 30 % in');
      await stage.untilCommitted(faultAt);
      const [victim] = childPids(consumer.pid);
      if (victim === undefined) throw new HarnessError(ErrorCodes.runtime, 'the consumer has no child process to kill');
      const file = await stage.fileHeldBy(victim);
      if (!file) throw new HarnessError(ErrorCodes.runtime, `child ${victim} holds none of the consumer files open`);
      const killedAt = performance.now();
      process.kill(victim, 'SIGKILL');
      await stage.wait(`child ${victim} to be gone`, () => !isAlive(victim), 10_000);
      const baseline = await fileSizes([file]);
      ctx.step('waiting for the supervisor to restart the child');
      const recoveryMs = await stage.untilGrown(`${file} to grow again`, stage.fileProbe([file]), baseline, killedAt);
      const replacement = childPids(consumer.pid).filter((pid) => pid !== victim);
      stage.check('the supervisor runs 3 children again', replacement.length === 3, `${replacement.length} children`);
      await settle(stage, producer, consumer);
      const restarts = stage.consumerReport?.totals.restarts;
      stage.check('the consumer report counts the restart', restarts === 1, `restarts ${restarts}`);
      stage.notes.push(`killed child pid ${victim}; the supervisor restarted it and its file grew again after ${seconds(recoveryMs)}`);
      return stage.count(childSigkill.title, [await consumerSink(stage)], recoveryMs);
    }),
};

const parentSigkill: Scenario = {
  id: 3,
  title: 'SIGKILL of the consumer parent, children exit, restart',
  run: (ctx) =>
    onStage(ctx, 3, 1, async (stage) => {
      const producer = stage.startProducer(ctx.count);
      const first = stage.startConsumer();
      ctx.step('waiting for the consumer to be 30 % in');
      await stage.untilCommitted(faultAt);
      const children = childPids(first.pid);
      stage.check('the consumer runs 3 children', children.length === 3, `${children.length} children`);
      const killedAt = performance.now();
      process.kill(first.pid, 'SIGKILL');
      ctx.step('waiting for the orphaned children to exit by themselves');
      let orphans: number[] = [];
      try {
        await stage.wait('the children to exit after their parent died', () => children.every((pid) => !isAlive(pid)), 30_000);
      } catch {
        orphans = children.filter(isAlive);
        // Left alive they would keep the group and the files: the suite must not leave them behind.
        for (const pid of orphans) process.kill(pid, 'SIGKILL');
      }
      const childrenGoneMs = performance.now() - killedAt;
      stage.check('no orphan child process remains', orphans.length === 0, `still alive 30 s after the parent: ${orphans.join(', ')}`);
      await first.exited;
      const baseline = await fileSizes(stage.consumerFiles);
      ctx.step('restarting the consumer');
      const second = stage.startConsumer();
      const recoveryMs = await stage.untilGrown('every consumer file to grow after the restart', stage.fileProbe(), baseline, killedAt);
      stage.notes.push(`the 3 children exited ${seconds(childrenGoneMs)} after their parent was killed`);
      await settle(stage, producer, second);
      return stage.count(parentSigkill.title, [await consumerSink(stage)], recoveryMs);
    }),
};

const producerSigint: Scenario = {
  id: 4,
  title: 'SIGINT to the producer mid-run',
  run: (ctx) =>
    onStage(ctx, 4, 1, async (stage) => {
      const consumer = stage.startConsumer();
      const producer = stage.startProducer(ctx.count);
      ctx.step('waiting for the producer to be 30 % in');
      await stage.untilWritten(faultAt);
      const stoppedAt = performance.now();
      producer.child.kill('SIGINT');
      const run = await stage.producerDone(producer, 60_000);
      const recoveryMs = performance.now() - stoppedAt;
      const { report } = run;
      stage.check(
        'the producer stops by the signal and exits 0',
        run.exitCode === 0 && report.stoppedBy === 'signal',
        `exit ${run.exitCode}, stopped by ${report.stoppedBy}`,
      );
      stage.check(
        'the producer reports nothing unconfirmed',
        report.unconfirmed === 0 && report.failed === 0,
        `unconfirmed ${report.unconfirmed}, failed ${report.failed}`,
      );
      stage.notes.push(`stopped after ${report.acknowledged} of ${ctx.count} acknowledged, in ${seconds(recoveryMs)} (time to stop, not to recover)`);
      ctx.step('waiting for the consumer to catch up');
      await stage.untilCaughtUp();
      await stage.stopConsumer(consumer);
      const outcome = await stage.count(producerSigint.title, [await consumerSink(stage)], recoveryMs);
      // Nothing was in flight at the end, so the topic holds exactly what was acknowledged: more would be messages the report missed.
      if (report.unconfirmed === 0) {
        outcome.checks.push({
          name: 'the topic holds exactly the acknowledged messages',
          ok: outcome.inTopic === report.acknowledged,
          detail: outcome.inTopic === report.acknowledged ? undefined : `${report.acknowledged} acknowledged, ${outcome.inTopic} in the topic`,
        });
      }
      return outcome;
    }),
};

const brokerRestart: Scenario = {
  id: 5,
  title: 'restart of the single broker during production and consumption',
  run: (ctx) =>
    onStage(ctx, 5, 1, async (stage) => {
      const consumer = stage.startConsumer();
      const producer = stage.startProducer(ctx.count);
      ctx.step('waiting for the producer and consumer to be 30 % in');
      await stage.untilWritten(faultAt);
      await stage.untilCommitted(faultAt / 2);
      const [nodeId] = stage.cluster.nodeIds;
      if (nodeId === undefined) throw new HarnessError(ErrorCodes.runtime, 'the cluster has no node');
      const baseline = await fileSizes(stage.consumerFiles);
      const stoppedAt = performance.now();
      ctx.step('stopping the broker');
      await stage.cluster.cluster.stopNode(nodeId);
      const downMs = performance.now() - stoppedAt;
      ctx.step('starting the broker again');
      await stage.cluster.startStopped();
      const upMs = performance.now() - stoppedAt;
      // Files grow only from messages fetched after the restart: the sizes at the stop are the baseline.
      const recoveryMs = await stage.untilGrown('every consumer file to grow after the broker restart', stage.fileProbe(), baseline, stoppedAt);
      stage.notes.push(`broker stopped in ${seconds(downMs)}, answering again ${seconds(upMs)} after the stop`);
      await settle(stage, producer, consumer);
      return stage.count(brokerRestart.title, [await consumerSink(stage)], recoveryMs);
    }),
};

const leaderSigkill: Scenario = {
  id: 6,
  title: '3 nodes: SIGKILL of the broker leading most partitions (RF 3, min ISR 2)',
  run: (ctx) =>
    onStage(ctx, 6, 3, async (stage) => {
      const consumer = stage.startConsumer();
      const producer = stage.startProducer(ctx.count);
      ctx.step('waiting for the producer and consumer to be 30 % in');
      await stage.untilWritten(faultAt);
      await stage.untilCommitted(faultAt / 2);
      const metadata = await stage.admin.fetchTopicMetadata({ topics: [stage.topic] });
      const leaders = new Map<number, number>();
      for (const partition of metadata.topics[0]?.partitions ?? []) leaders.set(partition.leader, (leaders.get(partition.leader) ?? 0) + 1);
      const [victim, led] = [...leaders].sort((a, b) => b[1] - a[1])[0] ?? [];
      const pid = victim === undefined ? undefined : await stage.cluster.pidOf(victim);
      if (victim === undefined || pid === undefined) throw new HarnessError(ErrorCodes.runtime, 'found no running leader to kill');
      const victimPartitions = (metadata.topics[0]?.partitions ?? [])
        .filter((partition) => partition.leader === victim)
        .map((partition) => partition.partitionId);
      // Recovery is when the group commits again on the partitions the dead node led: the others never stopped.
      const commitProbe = async (): Promise<number[]> => {
        const [entry] = await stage.admin.fetchOffsets({ groupId: stage.group, topics: [stage.topic] });
        return victimPartitions.map((id) => Number(entry?.partitions.find((partition) => partition.partition === id)?.offset ?? -1));
      };
      const baseline = await commitProbe();
      const killedAt = performance.now();
      process.kill(pid, 'SIGKILL');
      ctx.step(`node ${victim} killed; waiting for commits on its partitions`);
      const recoveryMs = await stage.untilGrown(
        `commits on partitions ${victimPartitions.join(', ')} after their leader died`,
        commitProbe,
        baseline,
        killedAt,
      );
      stage.notes.push(
        `killed node ${victim} (leader of ${led} of 6 partitions: ${victimPartitions.join(', ')}); commits on them went on after ${seconds(recoveryMs)}`,
      );
      await settle(stage, producer, consumer);
      ctx.step(`restarting node ${victim}`);
      await stage.cluster.startStopped();
      return stage.count(leaderSigkill.title, [await consumerSink(stage)], recoveryMs);
    }),
};

const brokerFrozen: Scenario = {
  id: 7,
  title: 'broker frozen (SIGSTOP) past the session timeout and the producer grace, then SIGCONT',
  run: (ctx) =>
    onStage(ctx, 7, 1, async (stage) => {
      const consumer = stage.startConsumer();
      const first = stage.startProducer(ctx.count);
      ctx.step('waiting for the producer and consumer to be 30 % in');
      await stage.untilWritten(faultAt);
      await stage.untilCommitted(faultAt / 2);
      const [nodeId] = stage.cluster.nodeIds;
      const pid = nodeId === undefined ? undefined : await stage.cluster.pidOf(nodeId);
      if (pid === undefined) throw new HarnessError(ErrorCodes.runtime, 'the broker is not running');
      const frozenAt = performance.now();
      ctx.processes.freeze(pid);
      let thawedAt = frozenAt;
      try {
        // Ctrl-C while the broker can't answer: the producer's sends in flight meet its 30 s grace deadline.
        first.child.kill('SIGINT');
        ctx.step('broker frozen; the producer got Ctrl-C and waits for its grace deadline');
        const exit = await exitWithin(first, producerGraceMs + 15_000);
        const waitedMs = performance.now() - frozenAt;
        stage.check('the producer exits within its 30 s grace while the broker is frozen', exit !== undefined, `still running after ${seconds(waitedMs)}`);
        // Frozen past the consumers' session timeout, so the group expires them when the broker wakes.
        const minimumFreezeMs = consumerSessionTimeoutMs + 2_000;
        if (waitedMs < minimumFreezeMs) {
          await stage.wait('the freeze to outlast the session timeout', () => performance.now() - frozenAt >= minimumFreezeMs, minimumFreezeMs);
        }
        thawedAt = performance.now();
      } finally {
        ctx.processes.thaw(pid);
      }
      const firstRun = await stage.producerDone(first, 10_000);
      stage.notes.push(
        `broker frozen ${seconds(thawedAt - frozenAt)}; the producer exited ${firstRun.exitCode} after Ctrl-C with ${firstRun.report.acknowledged} acknowledged, ${firstRun.report.unconfirmed} unconfirmed`,
      );
      stage.check(
        'the producer counts what the deadline cut off as unconfirmed and exits non-zero',
        firstRun.report.unconfirmed === 0 ? firstRun.exitCode === 0 : firstRun.exitCode === 1,
        `exit ${firstRun.exitCode} with ${firstRun.report.unconfirmed} unconfirmed`,
      );
      const baseline = await fileSizes(stage.consumerFiles);
      ctx.step('broker thawed; producing the rest');
      // What a user does next: run the producer again for the rest.
      const second = stage.startProducer(Math.max(1, ctx.count - firstRun.report.sent));
      const recoveryMs = await stage.untilGrown('every consumer file to grow after the thaw', stage.fileProbe(), baseline, thawedAt);
      await settle(stage, second, consumer);
      return stage.count(brokerFrozen.title, [await consumerSink(stage)], recoveryMs);
    }),
};

function chattr(flag: '+i' | '-i', paths: readonly string[], recursive = false): void {
  execFileSync('chattr', [...(recursive ? ['-R'] : []), flag, ...paths], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Root ignores permission bits, so chmod can't make a file unwritable in this suite: the immutable
 * attribute can, even for a file already open for appending. Proves it on a probe file first.
 */
async function immutableStopsAppends(dir: string): Promise<string | undefined> {
  const probe = join(dir, 'probe.txt');
  await writeFile(probe, 'probe\n');
  try {
    chattr('+i', [probe]);
  } catch (error) {
    return `chattr +i failed: ${messageOf(error)}`;
  }
  try {
    await appendFile(probe, 'more\n');
    return 'an append to an immutable file succeeded';
  } catch {
    return undefined;
  } finally {
    chattr('-i', [probe]);
  }
}

const sinkUnwritable: Scenario = {
  id: 8,
  title: "the file sink's directory made unwritable mid-stream (chattr +i), then writable",
  run: (ctx) =>
    onStage(ctx, 8, 1, async (stage) => {
      const problem = await immutableStopsAppends(stage.dir);
      if (problem) throw new HarnessError(ErrorCodes.runtime, `can't make a file unwritable here: ${problem}`);
      const producer = stage.startProducer(ctx.count);
      const consumer = stage.startConsumer();
      ctx.step('waiting for the consumer to be 30 % in');
      await stage.untilCommitted(faultAt);
      const holdMs = 12_000;
      let restoredAt = 0;
      try {
        chattr('+i', [stage.outDir], true);
        const lockedAt = performance.now();
        ctx.step('output folder immutable; watching the commits stop');
        // Batches written just before the lock still commit; after a few seconds nothing may move.
        let last = -1;
        let stableSince = performance.now();
        await stage.wait(
          'the commits to stop',
          async () => {
            const value = await committedTotal(stage.admin, stage.group, stage.topic);
            if (value !== last) [last, stableSince] = [value, performance.now()];
            return performance.now() - stableSince >= 3_000;
          },
          30_000,
        );
        const frozenCommits = last;
        const frozenSizes = await fileSizes(stage.consumerFiles);
        let moved = false;
        // The fault's duration, watched throughout: long enough for the sink retries, a partition pause and a retry after it.
        await stage.wait(
          `${holdMs / 1000} s of unwritable output`,
          async () => {
            if ((await committedTotal(stage.admin, stage.group, stage.topic)) !== frozenCommits) moved = true;
            return performance.now() - lockedAt >= holdMs;
          },
          holdMs + 30_000,
        );
        const sizesAfter = await fileSizes(stage.consumerFiles);
        stage.check('no commit while the output is unwritable', !moved, 'the group committed while nothing could be written');
        stage.check(
          'the files do not change while unwritable',
          sizesAfter.every((size, index) => size === frozenSizes[index]),
          `${frozenSizes.join(',')} → ${sizesAfter.join(',')}`,
        );
      } finally {
        chattr('-i', [stage.outDir], true);
        restoredAt = performance.now();
      }
      const baseline = await fileSizes(stage.consumerFiles);
      ctx.step('output writable again; waiting for the consumer to resume');
      const recoveryMs = await stage.untilGrown('every consumer file to grow once writable', stage.fileProbe(), baseline, restoredAt);
      await settle(stage, producer, consumer);
      const retries = stage.consumerReport?.totals.retries ?? 0;
      stage.check('the consumer reports the failed writes (retries in its report)', retries > 0, `retries ${retries}`);
      stage.notes.push(`unwritable for ${holdMs / 1000} s; ${retries} write retries reported; writing resumed ${seconds(recoveryMs)} after the restore`);
      return stage.count(sinkUnwritable.title, [await consumerSink(stage)], recoveryMs);
    }),
};

interface AdminReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: each route answers another shape; the scenario reads the fields it checks.
  body: any;
}

async function callAdmin(url: string, method: string, path: string, body?: unknown): Promise<AdminReply> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const adminConsumers = 10;

const adminSigkill: Scenario = {
  id: 9,
  title: 'admin server SIGKILLed with 10 consumers writing to files and PostgreSQL, then restarted',
  run: (ctx) =>
    onStage(ctx, 9, 1, async (stage) => {
      // Every consumer reads every message into two sinks: a tenth of --count keeps the writes at twice --count.
      const count = Math.max(1_000, Math.round(ctx.count / adminConsumers));
      const port = await anyFreePort('127.0.0.1');
      const url = `http://127.0.0.1:${port}`;
      const suffix = randomUUID().slice(0, 8);
      const env = stage.env({
        ADMIN_PORT: String(port),
        ADMIN_STATE_FILE: join(stage.dir, 'admin-state.json'),
        OUTPUT_DIR: stage.outDir,
        ADMIN_DATABASE_URL: postgresUrl,
      });
      const consumers = Array.from({ length: adminConsumers }, (_, index) => ({
        name: `c${index}`,
        group: `${stage.group}-c${index}`,
        file: join(stage.outDir, `c${index}.jsonl`),
        table: `faults_${suffix}_c${index}`,
      }));
      const db = new pg.Client({ connectionString: postgresUrl });
      await db.connect();
      const startAdmin = async (): Promise<RunningCli> => {
        const admin = ctx.processes.start('admin', 'consumer/admin/cli.js', [], { env, logPath: join(stage.dir, `admin-${performance.now().toFixed(0)}.log`) });
        await stage.wait('the admin server to answer /healthz', async () => (await callAdmin(url, 'GET', '/healthz')).status === 200, 60_000);
        return admin;
      };
      const probe = async (): Promise<number[]> => {
        const sizes = await fileSizes(consumers.map((consumer) => consumer.file));
        // One query at a time: a pg client runs them one after another anyway.
        for (const { table } of consumers) sizes.push(Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0));
        return sizes;
      };
      try {
        ctx.step('starting the admin server and creating 10 consumers');
        let admin = await startAdmin();
        const ids: string[] = [];
        for (const consumer of consumers) {
          const reply = await callAdmin(url, 'POST', '/api/consumers', {
            name: consumer.name,
            topic: stage.topic,
            group: consumer.group,
            sinks: [
              { type: 'file', path: `${consumer.name}.jsonl` },
              { type: 'postgres', table: consumer.table },
            ],
          });
          if (reply.status !== 201)
            throw new HarnessError(ErrorCodes.runtime, `creating consumer ${consumer.name} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
          ids.push(reply.body.id as string);
        }
        const producer = stage.startProducer(count, Math.max(100, Math.ceil(count / ctx.produceSeconds)));
        ctx.step('waiting for every consumer to be 30 % in');
        for (const consumer of consumers) await stage.untilCommitted(faultAt, count, consumer.group);
        const killedAt = performance.now();
        process.kill(admin.pid, 'SIGKILL');
        await admin.exited;
        const baseline = await probe();
        ctx.step('admin server killed; starting it again');
        admin = await startAdmin();
        const listed = await callAdmin(url, 'GET', '/api/consumers');
        const restored = (listed.body as { id: string; status: string }[]).filter((view) => ids.includes(view.id) && view.status === 'ACTIVE');
        stage.check('every definition is restored, ACTIVE', restored.length === adminConsumers, `${restored.length} of ${adminConsumers} restored ACTIVE`);
        const recoveryMs = await stage.untilGrown('every file and table to grow after the restart', probe, baseline, killedAt);
        ctx.step('waiting for the producer to finish and every consumer to catch up');
        const run = await stage.producerDone(producer);
        stage.check('the producer exits 0', run.exitCode === 0, `exit ${run.exitCode}`);
        for (const consumer of consumers) await stage.untilCaughtUp(consumer.group);
        admin.child.kill('SIGINT');
        const exit = await exitWithin(admin, 60_000);
        stage.check('the admin server exits 0 on Ctrl-C', exit?.code === 0, `exit ${exit ? (exit.code ?? exit.signal) : 'none within 60 s'}`);
        const sinks = [];
        for (const consumer of consumers) {
          sinks.push({ name: `${consumer.name} file`, tally: await readJsonlFiles([consumer.file]) });
          sinks.push({ name: `${consumer.name} table`, tally: await readTable(db, consumer.table) });
        }
        stage.notes.push(
          `${count} messages (a tenth of --count), each into ${sinks.length} sinks; the admin server answered and every sink grew again ${seconds(recoveryMs)} after the kill`,
        );
        return await stage.count(adminSigkill.title, sinks, recoveryMs);
      } finally {
        for (const { table } of consumers) await db.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
        await db.end();
      }
    }),
};

export const scenarios: readonly Scenario[] = [
  consumerSigint,
  childSigkill,
  parentSigkill,
  producerSigint,
  brokerRestart,
  leaderSigkill,
  brokerFrozen,
  sinkUnwritable,
  adminSigkill,
];
