import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

// Regression: yargs' strip-aliased parsing once swallowed --help, so every CLI ran instead of helping.
describe('--help', () => {
  it.each([
    ['kafka/up.js', 'Usage: npm run kafka:up -- [options]'],
    ['kafka/down.js', 'Usage: npm run kafka:down -- [--wipe | --node N]'],
    ['kafka/status.js', 'Usage: npm run kafka:status -- [--json]'],
    ['kafka/fetch.js', 'Usage: npm run kafka:fetch'],
    ['kafka/demo.js', 'Usage: npm run demo -- [options]'],
    ['producer/cli.js', 'Usage: npm run produce -- [options]'],
    ['consumer/cli/cli.js', 'Usage: npm run consume -- [options]'],
    ['consumer/cli/lag-cli.js', 'Usage: npm run lag -- -G <group> [-t <topic>] [--json]'],
  ])('%s prints its usage and examples, and does nothing else', async (script, usage) => {
    const result = await runCli(script, ['--help'], { env: { KAFKA_BROKERS: '127.0.0.1:1' } });
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(usage)).toBe(true);
    expect(result.stdout).toContain('Examples:');
    expect(result.stderr).toBe('');
  });
});
