import { describe, expect, it } from 'vitest';
import { MessageGenerator } from '../../../shared/message-generator.js';
import { MessageSchema } from '../../../shared/message.js';

describe('MessageGenerator', () => {
  it('builds messages the shared schema accepts', () => {
    const generator = new MessageGenerator({ producer: 'p1', worker: 2 });
    for (let seq = 0; seq < 200; seq++) {
      const message = generator.create(3, seq);
      expect(() => MessageSchema.parse(JSON.parse(generator.serialize(message)))).not.toThrow();
      expect(message.source).toEqual({ worker: 2, task: 3 });
      expect(message.seq).toBe(seq);
    }
  });

  it('is reproducible with a seed, ids included', () => {
    const first = new MessageGenerator({ producer: 'p', worker: 0, seed: 11 });
    const second = new MessageGenerator({ producer: 'p', worker: 0, seed: 11 });
    const strip = ({ createdAt: _createdAt, ...rest }: ReturnType<MessageGenerator['create']>) => rest;
    expect(Array.from({ length: 20 }, () => strip(first.create(0)))).toEqual(Array.from({ length: 20 }, () => strip(second.create(0))));
  });

  it('gives each worker its own ids from one seed', () => {
    const ids = new Set<string>();
    for (const worker of [0, 1, 2]) {
      const generator = new MessageGenerator({ producer: 'p', worker, seed: 11 });
      for (let index = 0; index < 100; index++) ids.add(generator.create(0).id);
    }
    expect(ids.size).toBe(300);
  });

  it('shares customers across workers, so a customer key always means one customer', () => {
    const a = new MessageGenerator({ producer: 'p', worker: 0, seed: 5 });
    const b = new MessageGenerator({ producer: 'p', worker: 1, seed: 5 });
    const customers = new Map<string, string>();
    for (const generator of [a, b]) {
      for (let index = 0; index < 500; index++) {
        const { customer } = generator.create(0).order;
        expect(customers.get(customer.id) ?? customer.name).toBe(customer.name);
        customers.set(customer.id, customer.name);
      }
    }
  });

  it('pads the JSON to about --payload-bytes and keeps it valid', () => {
    const generator = new MessageGenerator({ producer: 'p', worker: 0, payloadBytes: 2_000 });
    const json = generator.serialize(generator.create(0));
    expect(json.length).toBeGreaterThanOrEqual(1_990);
    expect(json.length).toBeLessThanOrEqual(2_010);
    expect(MessageSchema.parse(JSON.parse(json)).padding).toMatch(/^x+$/);
  });

  it('gives every message a padding field with --payload-bytes, empty when it is long enough already', () => {
    for (const payloadBytes of [2_000, 100]) {
      const generator = new MessageGenerator({ producer: 'p', worker: 0, payloadBytes });
      for (let index = 0; index < 20; index++) {
        const message = generator.create(0);
        expect(typeof message.padding, `payloadBytes ${payloadBytes}`).toBe('string');
        expect(generator.serialize(message)).toBe(JSON.stringify(message));
      }
    }
    expect(new MessageGenerator({ producer: 'p', worker: 0 }).create(0)).not.toHaveProperty('padding');
  });

  it('makes the same random keys with a seed, without shifting the ids', () => {
    const withKeys = new MessageGenerator({ producer: 'p', worker: 0, seed: 9 });
    const same = new MessageGenerator({ producer: 'p', worker: 0, seed: 9 });
    const withoutKeys = new MessageGenerator({ producer: 'p', worker: 0, seed: 9 });
    const ids: string[] = [];
    const keys: string[] = [];
    for (let index = 0; index < 20; index++) {
      ids.push(withKeys.create(0).id);
      keys.push(withKeys.randomKey());
    }
    expect(Array.from({ length: 20 }, () => same.randomKey())).toEqual(keys);
    expect(Array.from({ length: 20 }, () => withoutKeys.create(0).id)).toEqual(ids);
    expect(new Set(keys).size).toBe(20);
    expect(new MessageGenerator({ producer: 'p', worker: 1, seed: 9 }).randomKey()).not.toBe(keys[0]);
  });

  it('makes different random keys without a seed', () => {
    const generator = new MessageGenerator({ producer: 'p', worker: 0 });
    expect(generator.randomKey()).not.toBe(new MessageGenerator({ producer: 'p', worker: 0 }).randomKey());
  });

  it('cycles through a pool of prebuilt bodies', () => {
    const generator = new MessageGenerator({ producer: 'p', worker: 0, bodyPool: 3 });
    const orders = Array.from({ length: 6 }, () => generator.create(0).order.orderId);
    expect(orders.slice(3)).toEqual(orders.slice(0, 3));
    expect(new Set(orders).size).toBe(3);
  });
});

describe('MessageGenerator.serialize', () => {
  it('writes exactly what JSON.stringify would, pooled body or fresh, padded or not', () => {
    for (const [bodyPool, payloadBytes] of [
      [0, 0],
      [5, 0],
      [5, 1_500],
    ] as const) {
      const generator = new MessageGenerator({ producer: 'p"quoted"', worker: 1, bodyPool, payloadBytes });
      for (let seq = 0; seq < 50; seq++) {
        const message = generator.create(2, seq);
        expect(generator.serialize(message)).toBe(JSON.stringify(message));
      }
    }
  });
});
