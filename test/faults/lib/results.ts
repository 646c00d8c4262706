/** The suite's table and its RESULTS.md. */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { formatTable } from '../../../shared/table.js';
import type { Outcome } from './stage.js';

export function passed(outcome: Outcome): boolean {
  return outcome.error === undefined && outcome.lost === 0 && outcome.checks.every((check) => check.ok);
}

const number = (value: number): string => value.toLocaleString('en');

export function formatOutcomes(outcomes: readonly Outcome[]): string {
  return formatTable(
    ['#', 'SCENARIO', 'PRODUCED', 'ACKED', 'IN TOPIC', 'CONSUMED', 'LOST', 'DUPLICATES', 'RECOVERY', 'RESULT'],
    outcomes.map((outcome) => [
      outcome.id,
      outcome.title.length > 60 ? `${outcome.title.slice(0, 59)}…` : outcome.title,
      number(outcome.produced),
      number(outcome.acknowledged),
      number(outcome.inTopic),
      number(outcome.consumed),
      number(outcome.lost),
      outcome.topicDuplicates > 0 ? `${number(outcome.duplicates)} (+${number(outcome.topicDuplicates)} in topic)` : number(outcome.duplicates),
      outcome.recoveryMs === undefined ? '-' : `${(outcome.recoveryMs / 1000).toFixed(1)} s`,
      passed(outcome) ? 'ok' : 'FAIL',
    ]),
  );
}

/** One line per scenario: what happened, and every failed check with its detail. */
export function describeOutcome(outcome: Outcome): string {
  const failures = outcome.checks.filter((check) => !check.ok).map((check) => `FAILED: ${check.name} (${check.detail ?? 'no detail'})`);
  const parts = [...(outcome.error ? [`ERROR: ${outcome.error}`] : []), ...failures, ...outcome.notes];
  return `${outcome.id}. ${outcome.title}: ${parts.join('; ')}.`;
}

/** The first line a command prints (stdout and stderr together: `java -version` writes to stderr). */
function firstLine(command: string): string {
  try {
    return (
      execFileSync('sh', ['-c', `${command} 2>&1`], { encoding: 'utf8' })
        .trim()
        .split('\n')[0] ?? '?'
    );
  } catch {
    return '?';
  }
}

export function resultsMarkdown(outcomes: readonly Outcome[], options: { count: number; command: string; elapsedMs: number; reader: string }): string {
  const lines = [
    '# Fault suite results',
    '',
    `Run with \`${options.command}\` on ${new Date().toISOString().slice(0, 10)}, ${(options.elapsedMs / 60_000).toFixed(1)} minutes in all.`,
    '',
    `Machine: ${firstLine('nproc')} CPUs (${cpus()[0]?.model.trim() ?? 'unknown model'}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory,`,
    `Node ${process.version}, ${firstLine('java -version')}; Kafka 4.3.1 run from the Maven jars (one node, or three for scenario 6).`,
    `Messages per scenario: ${number(options.count)} (scenario 9: a tenth, read by each of 10 consumers into 2 sinks).`,
    `The topic was read back with ${options.reader}. Lost = acknowledged but not in the topic, plus in the topic but missing from a sink;`,
    "duplicates = extra copies in the sinks, net of the topic's own (shown as + in topic). Recovery = from the fault (or its end, for the freeze",
    'and the unwritable folder) until every affected sink takes new messages again; for scenario 6, until the group commits again on every',
    "partition the killed node led; for scenario 4, the producer's time to stop.",
    '',
    '```',
    formatOutcomes(outcomes),
    '```',
    '',
    ...outcomes.map((outcome) => `- ${describeOutcome(outcome)}`),
    '',
  ];
  return lines.join('\n');
}
