/**
 * Faults a broker can't be asked to produce, made real: a TCP proxy between a KafkaJS client and the
 * broker that lets a produce request through, lets the broker write it, and then cuts the connection
 * before the answer reaches the client. The client can only assume the send failed and retry it, so
 * without idempotence the broker writes it twice. Nothing is mocked: the broker, the client and the
 * retry are real; only the answer is lost, as with a network that fails at the wrong moment.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { ISocketFactory } from 'kafkajs';
import { socketFactory as directSocketFactory } from '../../shared/kafka-client.js';

/** Kafka's api key for Produce requests. */
const produceApiKey = 0;

export interface BrokerAddress {
  host: string;
  port: number;
}

export interface AnswerDroppingProxyOptions {
  /** The brokers to stand in front of, as their metadata advertises them. */
  brokers: readonly BrokerAddress[];
  /** Called with 1, 2, 3… for each produce request the proxy sees; true drops that request's answer. */
  shouldDropAnswer: (produceRequestNumber: number) => boolean;
}

/** Kafka frames: a 4-byte big-endian length, then that many bytes. Collects whole frames from a stream. */
class FrameReader {
  #buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    const frames: Buffer[] = [];
    while (this.#buffered.length >= 4) {
      const size = this.#buffered.readInt32BE(0);
      if (this.#buffered.length < 4 + size) break;
      frames.push(this.#buffered.subarray(0, 4 + size));
      this.#buffered = this.#buffered.subarray(4 + size);
    }
    return frames;
  }
}

export class AnswerDroppingProxy {
  readonly #options: AnswerDroppingProxyOptions;
  readonly #servers = new Map<string, Server>();
  readonly #sockets = new Set<Socket>();
  #produceRequests = 0;
  #droppedAnswers = 0;
  #closing: Promise<void> | undefined;

  private constructor(options: AnswerDroppingProxyOptions) {
    this.#options = options;
  }

  static async start(options: AnswerDroppingProxyOptions): Promise<AnswerDroppingProxy> {
    const proxy = new AnswerDroppingProxy(options);
    try {
      for (const broker of options.brokers) await proxy.#listen(broker);
    } catch (error) {
      await proxy.close();
      throw error;
    }
    return proxy;
  }

  /** Produce requests seen so far. */
  get produceRequests(): number {
    return this.#produceRequests;
  }

  /** Produce requests the broker answered but whose answer never reached the client. */
  get droppedAnswers(): number {
    return this.#droppedAnswers;
  }

  /**
   * For createKafka({ socketFactory }): connections to a proxied broker go through the proxy, any
   * other connection goes straight to its broker.
   */
  readonly socketFactory: ISocketFactory = (args) => {
    const server = this.#servers.get(`${args.host}:${args.port}`);
    if (server === undefined) return directSocketFactory(args);
    const { port } = server.address() as AddressInfo;
    // The proxy speaks plain TCP to the client; a TLS broker is out of the workshop's scope.
    return directSocketFactory({ ...args, host: '127.0.0.1', port });
  };

  /** Idempotent: cuts every connection and stops listening. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const socket of this.#sockets) socket.destroy();
      await Promise.all([...this.#servers.values()].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    })();
    return this.#closing;
  }

  async #listen(broker: BrokerAddress): Promise<void> {
    const server = createServer((client) => this.#relay(client, broker));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#servers.set(`${broker.host}:${broker.port}`, server);
  }

  #relay(client: Socket, broker: BrokerAddress): void {
    const upstream = connect({ host: broker.host, port: broker.port });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    this.#sockets.add(client);
    this.#sockets.add(upstream);
    const hangUp = (): void => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('error', hangUp).on('close', hangUp);
    upstream.on('error', hangUp).on('close', hangUp);

    // Correlation ids of requests whose answer is to be lost: the broker answers on one connection
    // in request order, so the answer is recognised by its id alone.
    const doomed = new Set<number>();
    const requests = new FrameReader();
    client.on('data', (chunk: Buffer) => {
      for (const frame of requests.push(chunk)) {
        // Request header: length, api key (int16), api version (int16), correlation id (int32).
        if (frame.length >= 12 && frame.readInt16BE(4) === produceApiKey) {
          this.#produceRequests += 1;
          if (this.#options.shouldDropAnswer(this.#produceRequests)) doomed.add(frame.readInt32BE(8));
        }
        upstream.write(frame);
      }
    });
    const answers = new FrameReader();
    upstream.on('data', (chunk: Buffer) => {
      for (const frame of answers.push(chunk)) {
        // Response header: length, correlation id (int32).
        if (frame.length >= 8 && doomed.has(frame.readInt32BE(4))) {
          this.#droppedAnswers += 1;
          hangUp();
          return;
        }
        client.write(frame);
      }
    });
  }
}
