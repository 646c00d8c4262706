/**
 * What the consumer writes for each message: a kcat -J style envelope with the payload parsed.
 */
import { isUtf8 } from 'node:buffer';
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

/** A number as JSON.stringify writes it (NaN and the infinities become null). */
const jsonNumber = (value: number): string => (Number.isFinite(value) ? String(value) : 'null');

/** `"topic"` as JSON, kept per topic: every envelope of a consumer has the same one. */
const topicJson = new Map<string, string>();

/**
 * The envelope of a message as it came from KafkaJS. Only what every sink reads (topic, partition,
 * offset, payload) is built up front; the key, timestamp and headers are converted when first read,
 * and a sink writing lines gets them straight from the message: on the hot path (a million
 * messages, most only counted or written as lines) no header object is built for nothing.
 */
class MessageEnvelope implements Envelope {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly payload: unknown;
  readonly #message: KafkaMessage;
  readonly #payloadText: string | undefined;
  #key: string | null | undefined;
  #headers: Record<string, string> | undefined;

  constructor(topic: string, partition: number, message: KafkaMessage, payload: unknown, payloadText: string | undefined) {
    this.topic = topic;
    this.partition = partition;
    this.offset = Number(message.offset);
    this.payload = payload;
    this.#message = message;
    this.#payloadText = payloadText;
  }

  get ts(): number {
    return Number(this.#message.timestamp);
  }

  get key(): string | null {
    if (this.#key === undefined) this.#key = this.#message.key === null || this.#message.key === undefined ? null : this.#message.key.toString();
    return this.#key;
  }

  get headers(): Record<string, string> {
    this.#headers ??= headersToStrings(this.#message.headers);
    return this.#headers;
  }

  /** What JSON.stringify writes: the fields in the order of the Envelope interface. */
  toJSON(): Envelope {
    const { topic, partition, offset, ts, key, headers, payload } = this;
    return { topic, partition, offset, ts, key, headers, payload };
  }

  /**
   * JSON.stringify(this), built from pieces: the payload goes in as the text it came as (the same
   * JSON, not serialised a second time), and the headers straight from the message's Buffers.
   */
  line(): string {
    // JSON.stringify leaves out a property that is undefined: only a payload given by hand can be.
    if (this.payload === undefined) return JSON.stringify(this);
    const text = this.#payloadText;
    // A payload spread over several lines would break JSON Lines: those are serialised afresh.
    const payload = text === undefined || text.includes('\n') || text.includes('\r') ? JSON.stringify(this.payload) : text;
    return `${this.lineHead()}${payload}}`;
  }

  /**
   * The payload's bytes as they came, when they can go into a line unchanged: valid JSON (parsed
   * from them), on one line, and valid UTF-8 (else the text held replacement characters instead).
   */
  payloadBytes(): Buffer | undefined {
    const value = this.#message.value;
    if (this.#payloadText === undefined || this.payload === undefined || !value) return undefined;
    if (value.indexOf(0x0a) !== -1 || value.indexOf(0x0d) !== -1 || !isUtf8(value)) return undefined;
    return value;
  }

  /** The line up to the payload: `{"topic":…,"headers":{…},"payload":`. */
  lineHead(): string {
    let topic = topicJson.get(this.topic);
    if (topic === undefined) {
      topic = JSON.stringify(this.topic);
      topicJson.set(this.topic, topic);
    }
    let headers = '';
    const raw = this.#message.headers;
    if (raw) {
      for (const name in raw) {
        if (!Object.hasOwn(raw, name)) continue;
        const value = raw[name];
        if (value === undefined) continue;
        const text = Array.isArray(value) ? value.map(String).join(',') : String(value);
        headers += `${headers ? ',' : ''}${JSON.stringify(name)}:${JSON.stringify(text)}`;
      }
    }
    const key = this.key;
    return `{"topic":${topic},"partition":${this.partition},"offset":${jsonNumber(this.offset)},"ts":${jsonNumber(this.ts)},"key":${key === null ? 'null' : JSON.stringify(key)},"headers":{${headers}},"payload":`;
  }
}

/** `payloadText`: the JSON the payload was parsed from, if it is known to be valid. */
export function toEnvelope(topic: string, partition: number, message: KafkaMessage, payload: unknown, payloadText?: string): Envelope {
  return new MessageEnvelope(topic, partition, message, payload, payloadText);
}

/**
 * The envelope as one JSON line (without the newline). For an envelope made by toEnvelope the
 * payload goes in as the text it came as: the same JSON, and on the file sink's hot path one
 * serialisation instead of two.
 */
export function envelopeLine(envelope: Envelope): string {
  return envelope instanceof MessageEnvelope ? envelope.line() : JSON.stringify(envelope);
}

/**
 * The envelopes as JSON Lines, each ending in a newline, in one Buffer: the file sink's hot path.
 * A payload that can go in as it came is copied byte for byte from the message, rather than decoded
 * to text, joined to its line and encoded back; any other envelope goes through envelopeLine().
 */
export function envelopeLines(envelopes: readonly Envelope[]): Buffer {
  const texts: string[] = [];
  const payloads: (Buffer | undefined)[] = [];
  let capacity = 0;
  for (const envelope of envelopes) {
    const payload = envelope instanceof MessageEnvelope ? envelope.payloadBytes() : undefined;
    // Up to the payload when its bytes are copied, else the whole line.
    const text = payload && envelope instanceof MessageEnvelope ? envelope.lineHead() : `${envelopeLine(envelope)}\n`;
    texts.push(text);
    payloads.push(payload);
    // A UTF-16 unit takes at most 3 bytes in UTF-8; a copied payload is followed by "}\n".
    capacity += text.length * 3 + (payload ? payload.length + 2 : 0);
  }
  const target = Buffer.allocUnsafe(capacity);
  let position = 0;
  for (const [index, text] of texts.entries()) {
    position += target.write(text, position, 'utf8');
    const payload = payloads[index];
    if (!payload) continue;
    position += payload.copy(target, position);
    target[position++] = 0x7d; // }
    target[position++] = 0x0a; // \n
  }
  return target.subarray(0, position);
}
