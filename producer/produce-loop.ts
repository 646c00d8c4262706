/**
 * One producing thread: one KafkaJS producer, `tasks` async loops that each claim work from the
 * shared gate, build a batch and send it. At most --max-in-flight sends are outstanding per
 * producer and each task holds one batch at a time, so memory stays flat whatever the count or
 * rate. Runs inside a worker thread, or on the main thread (--workers 0).
 */
import kafkajs from 'kafkajs';
import type { Message } from 'kafkajs';
import { connectClient, createKafka, createProducer, deliveryRetry } from '../shared/kafka-client.js';
import type { Logger } from '../shared/logger.js';
import { MessageGenerator } from '../shared/message-generator.js';
import { MessageHeaders, jsonContentType, type HarnessMessage } from '../shared/message.js';
import { createKeySelector } from './keys.js';
import { createLatencyHistogram, encodeHistogram } from '../shared/latency.js';
import { InFlightLimit } from './in-flight-limit.js';
import { createPartitionChooser } from './partitioning.js';
import { serializeError } from './thread-errors.js';
import type { AcksMode } from './enumerations.js';
import { defaultMaxSendBytes, recordOverheadBytes } from './options.js';
import type { ProduceSettings, SerializedError, ThreadIdentity, ThreadProgress, ThreadReport } from './types.js';
import type { WorkGate } from './work-gate.js';

const { CompressionTypes } = kafkajs;

const acksValue: Record<AcksMode, number> = { all: -1, '1': 1, '0': 0 };
const progressIntervalMs = 200;

/** A message as this loop builds it: its partition always chosen here, its value always a Buffer. */
type OutgoingMessage = Message & { partition: number; value: Buffer };

/** Kept under its old name: the cap of a send to a topic with the broker's default max.message.bytes. */
export const maxSendBytes = defaultMaxSendBytes;
/** The longest message JSON faker makes without padding is about 750 bytes; this bounds it. */
const unpaddedMessageBytes = 1_000;

/**
 * Messages per send: --batch-size, fewer when that many would pass `sendBytes` (maxSendBytes, or
 * less for a topic with a smaller max.message.bytes), and under --rate about one send every 10 ms
 * instead of bursts.
 */
export function messagesPerSend(batchSize: number, ratePerSecond: number | undefined, payloadBytes = 0, sendBytes = maxSendBytes): number {
  const messageBytes = Math.max(payloadBytes, unpaddedMessageBytes) + recordOverheadBytes;
  const bySize = Math.max(1, Math.floor(sendBytes / messageBytes));
  const byRate = ratePerSecond ? Math.max(1, Math.ceil(ratePerSecond / 100)) : batchSize;
  return Math.min(batchSize, bySize, byRate);
}

/**
 * Sends awaiting the broker at once: --max-in-flight, but one with --idempotent. The broker
 * recognises a retried batch as a duplicate only among the last 5 batches of its partition, and a
 * KafkaJS send retries as a whole after a partial failure (a leader change, a broker restart): with
 * other sends landing meanwhile, a batch that was already written came back too late to be
 * recognised and was refused as out of order until the send failed (fault scenarios 5 and 6). One
 * send at a time keeps every retry the newest batch of its partitions. The cost: the idempotent
 * producer waits out each send's round trip (figures in the README).
 */
export function sendsInFlight(settings: Pick<ProduceSettings, 'idempotent' | 'maxInFlight'>): number {
  return settings.idempotent ? 1 : settings.maxInFlight;
}

export async function produceFromThread(
  thread: ThreadIdentity,
  settings: ProduceSettings,
  gate: WorkGate,
  log: Logger,
  onProgress: (progress: ThreadProgress) => void,
): Promise<ThreadReport> {
  const { worker, producer: producerName } = thread;
  const counts = { sent: 0, written: 0, failed: 0, bytes: 0 };
  const perPartition = new Array<number>(settings.partitions).fill(0);
  const snapshot = (): ThreadProgress => {
    const written: Record<number, number> = {};
    for (const [partition, count] of perPartition.entries()) if (count > 0) written[partition] = count;
    return { worker, producer: producerName, ...counts, perPartition: written };
  };
  // Said before connecting, so a thread that dies later is still counted under its name.
  onProgress(snapshot());

  // deliveryRetry on the client as well as the producer: a send whose broker went away reconnects
  // with the client's retry, and the default (~6 s) gave up long before a restarted broker was back.
  const kafka = createKafka({ clientId: producerName, brokers: settings.brokers, log, retry: deliveryRetry });
  // No maxInFlightRequests: KafkaJS would apply it per broker connection; InFlightLimit below bounds the producer.
  const producer = createProducer(kafka, { idempotent: settings.idempotent, retry: deliveryRetry });
  await connectClient(producer, settings.brokers);
  gate.markConnected();
  await gate.whenAllConnected();

  const generator = new MessageGenerator({
    producer: producerName,
    worker,
    seed: settings.seed,
    bodyPool: settings.bodyPool,
    payloadBytes: settings.payloadBytes,
  });
  const keyOf = createKeySelector(settings.key, generator.create(0), () => generator.randomKey());
  const partitions = createPartitionChooser(settings.partitions);
  const histogram = createLatencyHistogram();
  const inFlight = new InFlightLimit(sendsInFlight(settings));
  const compression = settings.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const acks = acksValue[settings.acks];
  const perSend = messagesPerSend(settings.batchSize, settings.ratePerSecond, settings.payloadBytes, settings.maxSendBytes);
  log.debug({ batchSize: settings.batchSize, messagesPerSend: perSend, maxInFlight: sendsInFlight(settings) }, 'batching');
  let firstError: SerializedError | undefined;
  // Per producer and increasing in send order: assigned in the same tick as send(), never earlier.
  let seq = 0;

  const toKafkaMessage = (message: HarnessMessage, stickyPartition: number, sentAt: string): OutgoingMessage => {
    message.seq = seq++;
    const key = keyOf(message);
    return {
      key,
      value: Buffer.from(generator.serialize(message)),
      partition: key === null ? stickyPartition : partitions.forKey(key),
      headers: { [MessageHeaders.contentType]: jsonContentType, [MessageHeaders.sentAt]: sentAt, [MessageHeaders.producer]: producerName },
    };
  };

  const send = async (batch: readonly HarnessMessage[]): Promise<void> => {
    const sticky = partitions.nextSticky();
    const sentAt = String(Date.now());
    const messages = batch.map((message) => toKafkaMessage(message, sticky, sentAt));
    const bytes = messages.reduce((sum, message) => sum + message.value.length, 0);
    counts.sent += messages.length;
    const startedAt = performance.now();
    try {
      await producer.send({ topic: settings.topic, acks, compression, messages });
      histogram.recordValueWithCount(Math.max(1, Math.round((performance.now() - startedAt) * 1000)), messages.length);
      counts.written += messages.length;
      counts.bytes += bytes;
      for (const { partition } of messages) perPartition[partition] = (perPartition[partition] ?? 0) + 1;
    } catch (error) {
      counts.failed += messages.length;
      if (!firstError) {
        firstError = serializeError(error, settings.brokers);
        log.error({ err: firstError, messages: messages.length }, 'send failed; this thread stops taking new messages');
      }
      // One failure after KafkaJS's retries means the cluster can't take writes: stop everyone.
      gate.stop();
    }
  };

  const runTask = async (task: number): Promise<void> => {
    for (;;) {
      const granted = await gate.claim(perSend);
      if (granted === 0 || firstError) return;
      // Faker (or the prebuilt pool) runs here, while other tasks' sends are in flight.
      const batch = Array.from({ length: granted }, () => generator.create(task));
      await inFlight.acquire();
      try {
        // A batch still waiting for a slot when the run stops is not sent: it was never in flight.
        if (gate.stopped || firstError) return;
        await send(batch);
      } finally {
        inFlight.release();
      }
    }
  };

  const ticker = setInterval(() => onProgress(snapshot()), progressIntervalMs);
  ticker.unref();
  try {
    await Promise.all(Array.from({ length: settings.tasks }, (_, task) => runTask(task)));
  } finally {
    clearInterval(ticker);
    await producer.disconnect().catch((error: unknown) => log.warn({ err: error }, 'disconnect failed'));
  }
  const progress = snapshot();
  onProgress(progress);
  return { ...progress, latencyHistogram: encodeHistogram(histogram), firstError };
}
