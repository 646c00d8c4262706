import { describe, expect, it } from 'vitest';
import { type Result, resultsTable, runBadInputSuite } from '../faults/bad-input.js';
import { testBrokers } from './helpers/kafka.js';

// The quick part of npm run test:bad-input (about a minute): every bad flag, topic, broker, message
// and admin request gives one clear line and the right code, and nothing crashes.
describe('bad input', () => {
  it('gets a clear one-line error, the right code and no stack trace for each', async () => {
    const results: Result[] = await runBadInputSuite({ brokers: testBrokers(), quick: true, progress: () => {} });
    expect(results.length).toBeGreaterThan(25);
    const failed = results.filter((result) => !result.pass);
    expect(failed, resultsTable(failed)).toEqual([]);
  });
});
