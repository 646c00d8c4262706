/** /api/consumers: create, read, update, delete, and the lifecycle actions. */
import { Router } from 'express';
import type { ConsumerManager } from '../consumer-manager.js';
import { allowedActions, type Action } from '../lifecycle.js';
import type { LagService, PartitionLag } from '../lag-service.js';
import { notFound, parseOrBadRequest } from '../problem.js';
import { ConsumerInputSchema } from '../schemas.js';
import { indexLag, toView } from '../views.js';

/** How old the counters in GET /api/consumers may be, ms. */
export const listCacheMs = 250;

/** Fresh lag for one consumer, falling back to the last poll when the broker is slow or away. */
async function freshLag(lag: LagService, brokers: readonly string[], group: string, topic: string): Promise<PartitionLag[]> {
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2_000).unref());
  const fresh = await Promise.race([lag.describe(brokers, group, topic).catch(() => undefined), timeout]);
  return fresh ?? lag.snapshot();
}

export function consumersRouter(manager: ConsumerManager, lag: LagService): Router {
  const router = Router();

  // Dashboards poll this list: its JSON is built at most every listCacheMs, and again at once after
  // any change of status or definition, so only the counters and lag can be that old. It is kept as
  // bytes and written as they are: with a hundred consumers it is ~50 KB, and Express's send() would
  // encode the string again for every request (50 KB of garbage each, 25 MB/s at 500 requests/s).
  let cached: { version: number; builtAt: number; body: Buffer } | undefined;
  router.get('/consumers', (_request, response) => {
    const now = performance.now();
    if (!cached || cached.version !== manager.version || now - cached.builtAt > listCacheMs) {
      const index = indexLag(lag.snapshot());
      const json = JSON.stringify(manager.list().map((consumer) => toView(consumer, index)));
      cached = { version: manager.version, builtAt: now, body: Buffer.from(json) };
    }
    // The headers set earlier (nosniff, CSP) are kept; Node sends no body for HEAD.
    response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': cached.body.length });
    response.end(cached.body);
  });

  router.post('/consumers', async (request, response) => {
    const input = parseOrBadRequest(ConsumerInputSchema, request.body, 'consumer definition');
    const consumer = await manager.create(input);
    response.status(201).location(`/api/consumers/${consumer.id}`).json(toView(consumer, lag.snapshot()));
  });

  router.post('/consumers/stop-all', async (_request, response) => {
    const stopped = await manager.stopAll();
    response.json({ stopped: stopped.map((consumer) => consumer.id) });
  });

  router.get('/consumers/:id', async (request, response) => {
    const consumer = manager.get(request.params.id);
    const { brokers, group, topic } = consumer.definition;
    response.json(toView(consumer, await freshLag(lag, brokers, group, topic)));
  });

  router.put('/consumers/:id', async (request, response) => {
    const input = parseOrBadRequest(ConsumerInputSchema, request.body, 'consumer definition');
    const consumer = await manager.update(request.params.id, input);
    response.json(toView(consumer, lag.snapshot()));
  });

  // Its lag rows go with it: the lag service tracks only the groups of the consumers that exist.
  router.delete('/consumers/:id', async (request, response) => {
    await manager.remove(request.params.id);
    response.status(204).end();
  });

  router.post('/consumers/:id/:action', async (request, response) => {
    const action = request.params.action as Action;
    if (!allowedActions.includes(action)) throw notFound(`no action ${request.params.action}; use ${allowedActions.join(', ')}`);
    const consumer = await manager.act(request.params.id, action);
    response.json(toView(consumer, lag.snapshot()));
  });

  return router;
}
