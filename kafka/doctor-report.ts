/** The text `npm run doctor` prints: a line per check, its fix indented below, a verdict last. */
import { type CheckResult, CheckStatuses, type CheckStatus } from './doctor-checks.js';

export const statusMarks: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', info: '·' };

export function isHealthy(results: readonly CheckResult[]): boolean {
  return results.every((result) => result.status !== CheckStatuses.fail);
}

export function formatReport(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((result) => result.name.length));
  const lines: string[] = [];
  for (const result of results) {
    lines.push(`${statusMarks[result.status]} ${result.name.padEnd(width)}  ${result.detail}`);
    if (result.fix && result.status !== CheckStatuses.ok) lines.push(`  ${' '.repeat(width)}  fix: ${result.fix}`);
  }
  const failed = results.filter((result) => result.status === CheckStatuses.fail).length;
  const warned = results.filter((result) => result.status === CheckStatuses.warn).length;
  const warnings = warned === 0 ? '' : ` (${warned} warning${warned === 1 ? '' : 's'})`;
  lines.push('');
  lines.push(
    failed === 0 ? `Ready${warnings}.` : `${failed} problem${failed === 1 ? '' : 's'}${warnings}: run the fix commands above, then npm run doctor again.`,
  );
  return lines.join('\n');
}
