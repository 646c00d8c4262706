/**
 * What the consumer writes for each message: a kcat -J style envelope with the payload parsed.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';

export interface Envelope {
  topic: string;
  partition: number;
  offset: number;
  /** Broker timestamp, epoch ms. */
  ts: number;
  key: string | null;
  headers: Record<string, string>;
  payload: unknown;
}

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!headers) return result;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return result;
}

/** The text each payload was parsed from, kept so a line can be written without serialising it again. */
const payloadTexts = new WeakMap<Envelope, string>();

/** `payloadText`: the JSON the payload was parsed from, if it is known to be valid. */
export function toEnvelope(topic: string, partition: number, message: KafkaMessage, payload: unknown, payloadText?: string): Envelope {
  const envelope: Envelope = {
    topic,
    partition,
    offset: Number(message.offset),
    ts: Number(message.timestamp),
    key: message.key === null ? null : message.key.toString(),
    headers: headersToStrings(message.headers),
    payload,
  };
  // A payload spread over several lines would break JSON Lines: those are serialised afresh.
  if (payloadText !== undefined && !/[\n\r]/.test(payloadText)) payloadTexts.set(envelope, payloadText);
  return envelope;
}

/**
 * The envelope as one JSON line (without the newline). The payload goes in as the text it came as:
 * the same JSON, and on the file sink's hot path one serialisation instead of two.
 */
export function envelopeLine(envelope: Envelope): string {
  const payloadText = payloadTexts.get(envelope);
  if (payloadText === undefined) return JSON.stringify(envelope);
  const { topic, partition, offset, ts, key, headers } = envelope;
  return `${JSON.stringify({ topic, partition, offset, ts, key, headers }).slice(0, -1)},"payload":${payloadText}}`;
}
