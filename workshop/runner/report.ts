/** What a check's result looks like on screen: a short checklist, then time and seed. */
import type { CheckResult } from '../lib/run-check.js';
import type { ExerciseMeta } from '../lib/types.js';

export interface Paint {
  green(text: string): string;
  red(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const ansi = (code: number, reset: number) => (text: string) => `\u001b[${code}m${text}\u001b[${reset}m`;

/** Colours on a terminal, unless NO_COLOR or FORCE_COLOR=0 asks for none. */
export function createPaint(enabled: boolean): Paint {
  if (!enabled) {
    const plain = (text: string) => text;
    return { green: plain, red: plain, dim: plain, bold: plain };
  }
  return { green: ansi(32, 39), red: ansi(31, 39), dim: ansi(2, 22), bold: ansi(1, 22) };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `options.solution`: the reference solution was checked, not the learner's file. */
export function formatCheckResult(meta: ExerciseMeta, result: CheckResult, paint: Paint, options: { solution?: boolean } = {}): string {
  const lines: string[] = [];
  const width = Math.max(0, ...result.items.filter((item) => item.ok).map((item) => item.name.length));
  for (const item of result.items) {
    if (item.ok) {
      // What was seen, beside a passed item too: "10,000 records" says more than a tick alone.
      lines.push(`  ${paint.green('✓')} ${item.name.padEnd(width)}  ${paint.dim(item.actual)}`.trimEnd());
      continue;
    }
    lines.push(`  ${paint.red('✗')} ${item.name}`);
    lines.push(`      expected: ${item.expected}`);
    lines.push(`      actual:   ${item.actual}`);
    if (item.hint !== undefined) lines.push(`      ${paint.dim(`hint:     ${item.hint}`)}`);
  }
  const okCount = result.items.filter((item) => item.ok).length;
  const replay = `npm run exercise -- check ${meta.id}${options.solution ? ' --solution' : ''} --seed ${result.seed}`;
  const summary = result.interrupted
    ? paint.dim(`stopped after ${seconds(result.durationMs)} (seed ${result.seed})`)
    : `${result.passed ? paint.green(paint.bold('passed')) : paint.red(paint.bold('not yet'))}: ${okCount} of ${result.items.length} ok · ${seconds(result.durationMs)} · seed ${result.seed} ${paint.dim(`(same input again: ${replay})`)}`;
  lines.push('', summary);
  return lines.join('\n');
}
