/**
 * The route names of the earlier Python designs, as thin aliases over the same manager, so their
 * users can follow along: /start-consumer, /stop-consumer/:id, /list-consumers and so on.
 */
import { Router } from 'express';
import type { ConsumerManager } from '../consumer-manager.js';
import type { LagService } from '../lag-service.js';
import { parseOrBadRequest } from '../problem.js';
import { runtimeReport } from '../runtime.js';
import { LegacyStartQuerySchema } from '../schemas.js';
import { toView } from '../views.js';

export function legacyRouter(manager: ConsumerManager, lag: LagService): Router {
  const router = Router();
  const view = (id: string) => toView(manager.get(id), lag.snapshot());

  router.post('/start-consumer', async (request, response) => {
    const query = parseOrBadRequest(LegacyStartQuerySchema, request.query, 'query');
    const consumer = await manager.create({
      ...(query.client_id ? { name: query.client_id } : {}),
      ...(query.broker ? { brokers: [query.broker] } : {}),
      topic: query.topic,
      group: query.group_id,
      autoStart: true,
      sinks: [{ type: 'file', path: query.file_path }],
    });
    response.status(201).json({ consumer_id: consumer.id, ...toView(consumer, lag.snapshot()) });
  });
  router.post('/stop-consumer/:id', async (request, response) => {
    await manager.act(request.params.id, 'stop');
    response.json(view(request.params.id));
  });
  router.post('/pause-consumer/:id', async (request, response) => {
    await manager.act(request.params.id, 'pause');
    response.json(view(request.params.id));
  });
  router.post('/resume-consumer/:id', async (request, response) => {
    await manager.act(request.params.id, 'resume');
    response.json(view(request.params.id));
  });
  router.post('/terminate-consumer/:id', async (request, response) => {
    await manager.remove(request.params.id);
    response.status(204).end();
  });
  router.post('/stop-all', async (_request, response) => {
    response.json({ stopped: (await manager.stopAll()).map((consumer) => consumer.id) });
  });
  router.get('/list-consumers', (_request, response) => {
    response.json(manager.list().map((consumer) => toView(consumer, lag.snapshot())));
  });
  router.get('/consumer-status/:id', (request, response) => {
    response.json(view(request.params.id));
  });
  router.get('/monitor-threads', (_request, response) => {
    response.json(runtimeReport(manager));
  });

  return router;
}
