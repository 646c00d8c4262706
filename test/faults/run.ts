/**
 * npm run test:faults — faults injected while the producer (acks=all, idempotent) sends and a
 * 3-process consumer writes files: signals to the CLIs, broker restarts, kills and freezes, an
 * unwritable sink, a killed admin server. Each scenario ends by counting ids; a lost message fails
 * the run.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { createCli, requireInteger, runCli } from '../../shared/cli.js';
import { ExitCodes, InterruptedError, messageOf, UsageError } from '../../shared/errors.js';
import { getLogger } from '../../shared/logger.js';
import { projectRoot } from '../../shared/paths.js';
import { startTicker } from '../../shared/progress.js';
import { installShutdown } from '../../shared/shutdown.js';
import { type FaultCluster, killClusterSync, startCluster } from './lib/cluster.js';
import { kcatPath } from './lib/counting.js';
import { ProcessRegistry } from './lib/processes.js';
import { describeOutcome, formatOutcomes, passed, resultsMarkdown } from './lib/results.js';
import type { Outcome, SuiteContext } from './lib/stage.js';
import { scenarios } from './scenarios.js';

function parseOnly(text: string | undefined): number[] {
  if (text === undefined) return scenarios.map((scenario) => scenario.id);
  const ids = text.split(',').map((part) => Number(part.trim()));
  const known = new Set(scenarios.map((scenario) => scenario.id));
  const wrong = ids.filter((id) => !known.has(id));
  if (wrong.length > 0 || ids.length === 0) throw new UsageError(`--only takes scenario numbers 1-${scenarios.length}, comma-separated (got "${text}")`);
  return [...new Set(ids)].sort((a, b) => a - b);
}

await runCli(async () => {
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run test:faults --' })
    .usage(
      [
        'Usage: npm run test:faults -- [--count N] [--only 1,2] [--write-results]',
        '',
        'Injects one fault per scenario while the producer and the consumer run on a throwaway broker,',
        'then counts message ids: produced, acknowledged, in the topic, consumed, lost, duplicates.',
        'Exits 1 if any scenario lost a message or failed a check.',
        '',
        'Scenarios: 1 SIGINT consumer · 2 SIGKILL a child · 3 SIGKILL the parent · 4 SIGINT producer ·',
        '5 broker restart · 6 3 nodes, SIGKILL a leader · 7 broker frozen · 8 sink unwritable · 9 SIGKILL admin',
      ].join('\n'),
    )
    .options({
      count: { alias: 'c', type: 'number', default: 200_000, describe: 'Messages per scenario (scenario 9: a tenth)' },
      only: { type: 'string', describe: 'Scenario numbers to run, e.g. 1,2 [default: all]' },
      'produce-seconds': { type: 'number', default: 20, describe: 'How long producing --count should take (sets --rate), so faults land mid-stream' },
      'write-results': { type: 'boolean', default: false, describe: 'Write test/faults/RESULTS.md (machine, table, one line per scenario)' },
      keep: { type: 'boolean', default: false, describe: 'Keep the work folder (logs, output files) even when everything passed' },
    })
    .example('npm run test:faults', 'every scenario with 200,000 messages each')
    .example('npm run test:faults -- --count 20000', 'the CI size')
    .example('npm run test:faults -- --only 2,5 --count 5000', 'two scenarios, small')
    .example('npm run test:faults -- --write-results', 'also write test/faults/RESULTS.md')
    .parseAsync();
  const count = requireInteger('count', argv.count, 1_000);
  const produceSeconds = requireInteger('produce-seconds', argv['produce-seconds'], 5, 600);
  const only = parseOnly(argv.only);
  const log = getLogger('faults');
  const startedAt = performance.now();

  const workDir = await mkdtemp(join(tmpdir(), 'harness-faults-'));
  const processes = new ProcessRegistry();
  const homes: string[] = [];
  const shutdown = installShutdown({
    log,
    graceMs: 60_000,
    onForce: () => {
      // A forced exit can await nothing: kill by pid, synchronously. The brokers run detached, so no signal reaches them otherwise.
      for (const home of homes) killClusterSync(home);
      void processes.killAll();
    },
  });

  let single: FaultCluster | undefined;
  let three: FaultCluster | undefined;
  const ticker = startTicker('starting');
  let current = '';
  const context: SuiteContext = {
    count,
    produceSeconds,
    workDir,
    log,
    signal: shutdown.signal,
    processes,
    singleNode: async () => {
      if (!single) {
        context.step('starting a throwaway single-node broker');
        const home = join(workDir, 'kafka-1');
        homes.push(home);
        single = await startCluster(home, 1, log);
      }
      return single;
    },
    threeNodes: async () => {
      if (!three) {
        context.step('starting a throwaway 3-node cluster');
        const home = join(workDir, 'kafka-3');
        homes.push(home);
        three = await startCluster(home, 3, log);
      }
      return three;
    },
    step: (text) => {
      if (ticker.visible) ticker.update(`${current}: ${text}`);
      else log.info({ scenario: current, step: text }, 'scenario step');
    },
  };

  const outcomes: Outcome[] = [];
  try {
    for (const id of only) {
      const scenario = scenarios.find((candidate) => candidate.id === id);
      if (!scenario) continue;
      if (shutdown.requested) throw new InterruptedError('interrupted between scenarios');
      current = `scenario ${id}/${scenarios.length}`;
      const started = performance.now();
      let outcome: Outcome;
      try {
        outcome = await scenario.run(context);
      } catch (error) {
        if (error instanceof InterruptedError) throw error;
        outcome = {
          id,
          title: scenario.title,
          produced: 0,
          acknowledged: 0,
          inTopic: 0,
          consumed: 0,
          lost: 0,
          duplicates: 0,
          topicDuplicates: 0,
          recoveryMs: undefined,
          checks: [],
          notes: [],
          error: messageOf(error),
          dir: join(workDir, `scenario-${id}`),
        };
      } finally {
        // Whatever a scenario left running (a consumer after a failed check) must not disturb the next.
        await processes.killAll();
      }
      outcomes.push(outcome);
      log.info({ scenario: id, lost: outcome.lost, ok: passed(outcome), seconds: Math.round((performance.now() - started) / 1000) }, 'scenario finished');
      if (three && id === 6) {
        await three.destroy();
        three = undefined;
      }
    }
  } finally {
    ticker.stop();
    await processes.killAll();
    for (const cluster of [single, three]) await cluster?.destroy().catch((error: unknown) => log.warn({ err: error }, 'could not stop a throwaway cluster'));
    shutdown.dispose();
  }

  process.stdout.write(`${formatOutcomes(outcomes)}\n\n${outcomes.map(describeOutcome).join('\n')}\n`);
  const allPassed = outcomes.every(passed);
  if (argv['write-results']) {
    const command = `npm run test:faults -- ${hideBin(process.argv).join(' ')}`.trim();
    const path = join(projectRoot, 'test', 'faults', 'RESULTS.md');
    // The bad-input suite's last results (BAD-INPUT.md, written by npm run test:bad-input -- --write-results) as a section of their own.
    const badInput = await readFile(join(projectRoot, 'test', 'faults', 'BAD-INPUT.md'), 'utf8').catch(() => undefined);
    const badInputSection = badInput === undefined ? '' : `\n${badInput.replace(/^# Bad input/m, '## Bad input').trimEnd()}\n`;
    await writeFile(
      path,
      resultsMarkdown(outcomes, { count, command, elapsedMs: performance.now() - startedAt, reader: kcatPath() ? 'kcat' : 'a KafkaJS reader' }) +
        badInputSection,
    );
    process.stderr.write(`wrote ${path}\n`);
  }
  if (allPassed && !argv.keep) await rm(workDir, { recursive: true, force: true });
  else process.stderr.write(`logs and output files: ${workDir}\n`);
  process.stderr.write(`${(performance.now() - startedAt) / 1000 > 0 ? `took ${((performance.now() - startedAt) / 60_000).toFixed(1)} min` : ''}\n`);
  return allPassed ? ExitCodes.ok : ExitCodes.failure;
});
