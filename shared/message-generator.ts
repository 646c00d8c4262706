/**
 * Builds harness messages with faker. Seeded, two runs produce the same ids and bodies, so a
 * workshop can point at "the order of customer-042". Faker costs tens of microseconds per order, so
 * `bodyPool` builds that many bodies up front and the hot path only stamps id, seq and time on them.
 */
import { randomUUID } from 'node:crypto';
import type { Faker } from '@faker-js/faker';
// Only the English locale: faker's main entry loads all its locales, about 16 MiB of heap and
// 30 MiB of RSS in every worker thread that imports it.
import { faker as englishFaker } from '@faker-js/faker/locale/en';
import { allowedOrderStatuses, type Customer, type HarnessMessage, type Order } from './message.js';

export interface MessageGeneratorOptions {
  /** Producer name, written into every message and the x-producer header. */
  producer: string;
  worker: number;
  /** Same seed, same messages (ids and random keys included). Without one, both come from crypto.randomUUID(). */
  seed?: number | undefined;
  /** Build this many order bodies once and cycle through them (0 = a fresh body per message). */
  bodyPool?: number;
  /** Pad each message's JSON to about this many bytes with a `padding` field (0 = no padding field). */
  payloadBytes?: number;
}

/** Customers are shared by every worker (same seed), so one customer's orders meet on one partition. */
const customerCount = 200;
const currencies = ['EUR', 'USD', 'GBP', 'SEK', 'JPY'] as const;

/** A Faker of its own (own seed, own random stream) on the English definitions (and faker's base ones). */
function createFaker(): Faker {
  // The locale entry exports only its instance; its class is reached through it.
  const FakerClass = englishFaker.constructor as typeof Faker;
  return new FakerClass({ locale: englishFaker.rawDefinitions });
}

export class MessageGenerator {
  readonly #faker: Faker;
  /** Keys for `-k random` under a seed: a stream of their own, so drawing keys never shifts the ids. */
  readonly #keyFaker: Faker | undefined;
  readonly #seeded: boolean;
  readonly #customers: Customer[];
  readonly #pool: Order[];
  /** The JSON of each pooled body, serialised once. */
  readonly #bodyJson = new WeakMap<Order, string>();
  readonly #producerJson: string;
  readonly #options: Required<Omit<MessageGeneratorOptions, 'seed'>>;
  #poolIndex = 0;

  constructor(options: MessageGeneratorOptions) {
    this.#options = { bodyPool: 0, payloadBytes: 0, ...options };
    this.#seeded = options.seed !== undefined;
    const customerFaker = createFaker();
    customerFaker.seed(options.seed ?? 42);
    this.#customers = Array.from({ length: customerCount }, (_, index) => createCustomer(customerFaker, index));
    this.#faker = createFaker();
    // Workers must not repeat each other's ids (or keys): each gets its own streams from the one seed.
    if (options.seed !== undefined) {
      this.#faker.seed([options.seed, options.worker]);
      this.#keyFaker = createFaker();
      this.#keyFaker.seed([options.seed, options.worker, 1]);
    }
    this.#pool = Array.from({ length: this.#options.bodyPool }, () => this.order());
    for (const body of this.#pool) this.#bodyJson.set(body, JSON.stringify(body));
    this.#producerJson = JSON.stringify(options.producer);
  }

  /** A fresh faker order (tens of microseconds). */
  order(): Order {
    const faker = this.#faker;
    const itemCount = faker.number.int({ min: 1, max: 4 });
    const items = Array.from({ length: itemCount }, () => ({
      sku: faker.string.alphanumeric({ length: 8, casing: 'upper' }),
      name: faker.commerce.productName(),
      quantity: faker.number.int({ min: 1, max: 5 }),
      unitPrice: faker.number.float({ min: 1, max: 500, fractionDigits: 2 }),
    }));
    const amount = Math.round(items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0) * 100) / 100;
    return {
      orderId: `ORD-${faker.string.numeric(8)}`,
      customer: faker.helpers.arrayElement(this.#customers),
      items,
      amount,
      currency: faker.helpers.arrayElement(currencies),
      status: faker.helpers.arrayElement(allowedOrderStatuses),
    };
  }

  #nextBody(): Order {
    if (this.#pool.length === 0) return this.order();
    const body = this.#pool[this.#poolIndex] as Order;
    this.#poolIndex = (this.#poolIndex + 1) % this.#pool.length;
    return body;
  }

  /**
   * A message whose seq is filled in later (at send time, so seq follows send order). With
   * payloadBytes it has a `padding` field, empty when the message is long enough already, so every
   * message has the same fields and `-k padding` means the same thing for all of them.
   */
  create(task: number, seq = 0): HarnessMessage {
    const message: HarnessMessage = {
      id: this.#seeded ? this.#faker.string.uuid() : randomUUID(),
      seq,
      producer: this.#options.producer,
      source: { worker: this.#options.worker, task },
      createdAt: new Date().toISOString(),
      order: this.#nextBody(),
    };
    if (this.#options.payloadBytes > 0) {
      // Measured with the seq it has now: a longer seq later adds a few bytes, hence "about".
      const missing = this.#options.payloadBytes - this.serialize(message).length - ',"padding":""'.length;
      message.padding = missing > 0 ? 'x'.repeat(missing) : '';
    }
    return message;
  }

  /** A key for `-k random`: reproducible with a seed, like the ids. */
  randomKey(): string {
    return this.#keyFaker ? this.#keyFaker.string.uuid() : randomUUID();
  }

  /**
   * The JSON of a message. Equal to JSON.stringify(message), but built from pieces: a pooled body
   * is serialised once, and uuids, numbers and ISO times need no escaping, which makes this several
   * times cheaper on the hot path.
   */
  serialize(message: HarnessMessage): string {
    const body = this.#bodyJson.get(message.order) ?? JSON.stringify(message.order);
    const producer = message.producer === this.#options.producer ? this.#producerJson : JSON.stringify(message.producer);
    const json =
      `{"id":"${message.id}","seq":${message.seq},"producer":${producer},` +
      `"source":{"worker":${message.source.worker},"task":${message.source.task}},"createdAt":"${message.createdAt}","order":${body}`;
    return message.padding === undefined ? `${json}}` : `${json},"padding":${JSON.stringify(message.padding)}}`;
  }
}

function createCustomer(faker: Faker, index: number): Customer {
  const firstName = faker.person.firstName();
  const lastName = faker.person.lastName();
  return {
    id: `customer-${String(index + 1).padStart(3, '0')}`,
    name: `${firstName} ${lastName}`,
    email: faker.internet.email({ firstName, lastName }).toLowerCase(),
    country: faker.location.countryCode('alpha-2'),
  };
}
