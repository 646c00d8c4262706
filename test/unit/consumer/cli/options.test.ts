import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { consumerFlags, toConsumerOptions } from '../../../../consumer/cli/options.js';
import { settings } from '../../../../shared/config.js';

function parse(args: readonly string[]) {
  return toConsumerOptions(
    yargs([...args])
      .options(consumerFlags(settings()))
      .strict()
      .parseSync(),
    false,
  );
}

describe('toConsumerOptions', () => {
  it('scopes topic and group to --user, and leaves them alone without one', () => {
    expect(parse(['--user', 'bob', '-t', 'orders', '-G', 'billing'])).toMatchObject({ topic: 'bob.orders', groupId: 'bob.billing', user: 'bob' });
    expect(parse(['-t', 'orders', '-G', 'billing'])).toMatchObject({ topic: 'orders', groupId: 'billing', user: undefined });
  });

  it('takes brokers as a list, parsed once', () => {
    expect(parse(['-b', 'a:1, b:2']).brokers).toEqual(['a:1', 'b:2']);
  });
});
