/**
 * The message every harness producer writes, and the schema the consumer's --strict mode checks.
 * The body is an order that looks like real business data, so keys (customer ids, countries) have
 * the skew real topics have.
 */
import { z } from 'zod';

export const OrderStatuses = { placed: 'placed', paid: 'paid', shipped: 'shipped', cancelled: 'cancelled' } as const;
export type OrderStatus = (typeof OrderStatuses)[keyof typeof OrderStatuses];
export const allowedOrderStatuses = Object.values(OrderStatuses) as [OrderStatus, ...OrderStatus[]];

export const OrderItemSchema = z.object({
  sku: z.string().min(1),
  name: z.string().min(1),
  quantity: z.number().int().positive(),
  unitPrice: z.number().nonnegative(),
});

export const CustomerSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  email: z.string().min(3),
  country: z.string().length(2),
});

export const OrderSchema = z.object({
  orderId: z.string().min(1),
  customer: CustomerSchema,
  items: z.array(OrderItemSchema).min(1),
  amount: z.number().nonnegative(),
  currency: z.string().length(3),
  status: z.enum(allowedOrderStatuses),
});

export const MessageSchema = z.object({
  id: z.uuid(),
  /** Per producer, increasing in send order: within a partition it shows ordering. */
  seq: z.number().int().nonnegative(),
  producer: z.string().min(1),
  source: z.object({ worker: z.number().int().nonnegative(), task: z.number().int().nonnegative() }),
  createdAt: z.iso.datetime(),
  order: OrderSchema,
  /** Filler that brings a message to --payload-bytes. */
  padding: z.string().optional(),
});

export type OrderItem = z.infer<typeof OrderItemSchema>;
export type Customer = z.infer<typeof CustomerSchema>;
export type Order = z.infer<typeof OrderSchema>;
export type HarnessMessage = z.infer<typeof MessageSchema>;

/** Header names the producer sets; the consumer reads `x-sent-at` for end-to-end latency. */
export const MessageHeaders = {
  contentType: 'content-type',
  sentAt: 'x-sent-at',
  producer: 'x-producer',
} as const;

export const jsonContentType = 'application/json';

/** One message as the producer writes it: documentation, and a faker-free sample for checks. */
export const exampleMessage: HarnessMessage = {
  id: '5f0c7a9e-2b1d-4c3e-9f8a-6d5e4c3b2a19',
  seq: 41,
  producer: 'harness-4242-w0',
  source: { worker: 0, task: 3 },
  createdAt: '2026-11-23T09:30:00.000Z',
  order: {
    orderId: 'ORD-20481632',
    customer: { id: 'customer-042', name: 'Ada Lovelace', email: 'ada.lovelace@example.com', country: 'GB' },
    items: [{ sku: 'QX7RT2LM', name: 'Handcrafted Steel Keyboard', quantity: 2, unitPrice: 49.5 }],
    amount: 99,
    currency: 'GBP',
    status: 'paid',
  },
};
