/**
 * How a message's key is chosen: the ordering lesson. Kafka keeps order per partition, and the key
 * picks the partition, so `-k user` keeps each customer's orders in order while `-k none` spreads
 * them for throughput.
 */
import { UsageError } from '../shared/errors.js';
import { exampleMessage, type HarnessMessage } from '../shared/message.js';

export const KeyModes = { none: 'none', id: 'id', user: 'user', random: 'random' } as const;
export type KeyMode = (typeof KeyModes)[keyof typeof KeyModes];
export const allowedKeyModes: readonly KeyMode[] = Object.values(KeyModes);

export type KeyStrategy = { mode: KeyMode } | { mode: 'field'; path: readonly string[] };

/** `none|id|user|random`, or a dotted path into the message such as `order.customer.country`. */
export function parseKeyStrategy(text: string): KeyStrategy {
  if ((allowedKeyModes as readonly string[]).includes(text)) return { mode: text as KeyMode };
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(text)) {
    throw new UsageError(`--key "${text}" is not ${allowedKeyModes.join('|')} or a field path like order.customer.country`);
  }
  return { mode: 'field', path: text.split('.') };
}

function fieldValue(message: unknown, path: readonly string[]): unknown {
  let value = message;
  for (const name of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
  return value;
}

/** Dotted paths of the scalar fields of a message, for the error that lists what -k can use. */
export function scalarFieldPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return prefix ? [prefix] : [];
  return Object.entries(value as Record<string, unknown>).flatMap(([name, inner]) => scalarFieldPaths(inner, prefix ? `${prefix}.${name}` : name));
}

/** A function from message to key (null = no key); a field path is checked against a sample message. */
export function createKeySelector(strategy: KeyStrategy, sample: HarnessMessage, randomKey: () => string): (message: HarnessMessage) => string | null {
  switch (strategy.mode) {
    case 'none':
      return () => null;
    case 'id':
      return (message) => message.id;
    case 'user':
      return (message) => message.order.customer.id;
    case 'random':
      return () => randomKey();
    case 'field': {
      const { path } = strategy;
      const value = fieldValue(sample, path);
      if (value === undefined || value === null || typeof value === 'object') {
        throw new UsageError(
          `--key ${path.join('.')}: not a field of the messages; use one of ${scalarFieldPaths(sample)
            .filter((name) => !name.startsWith('order.items'))
            .join(', ')}`,
        );
      }
      return (message) => String(fieldValue(message, path));
    }
  }
}

/**
 * Checks a field path for -k before any thread starts, against the fields the messages will have:
 * `padding` exists only with --payload-bytes.
 */
export function checkKeyField(strategy: KeyStrategy, payloadBytes: number): void {
  if (strategy.mode === 'field' && strategy.path.join('.') === 'padding' && payloadBytes === 0) {
    throw new UsageError('--key padding needs --payload-bytes: only then do the messages have a padding field');
  }
  const sample: HarnessMessage = payloadBytes > 0 ? { ...exampleMessage, padding: '' } : exampleMessage;
  createKeySelector(strategy, sample, () => '');
}
