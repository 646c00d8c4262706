/** /api/monitor and /api/runtime: committed offsets, lag with Burrow statuses, and the process. */
import { Router } from 'express';
import type { ConsumerManager } from '../consumer-manager.js';
import type { LagService, PartitionLag } from '../lag-service.js';
import { notFound, parseOrBadRequest } from '../problem.js';
import { runtimeReport } from '../runtime.js';
import { GroupQuerySchema } from '../schemas.js';

/**
 * Committed offsets as `{ topic: { partition: offset } }`, partitions without a commit left out. The maps
 * have no prototype: Kafka allows a topic named `__proto__`, which must stay a key like any other.
 */
export function offsetsByTopic(partitions: readonly PartitionLag[]): Record<string, Record<string, number>> {
  const offsets: Record<string, Record<string, number>> = Object.create(null);
  for (const partition of partitions) {
    if (partition.current_offset === null) continue;
    const topic: Record<string, number> = offsets[partition.topic] ?? Object.create(null);
    topic[String(partition.partition)] = partition.current_offset;
    offsets[partition.topic] = topic;
  }
  return offsets;
}

export function monitorRouter(manager: ConsumerManager, lag: LagService, brokers: readonly string[]): Router {
  const router = Router();

  router.get('/monitor/consumer-group-offsets', async (request, response) => {
    const query = parseOrBadRequest(GroupQuerySchema, request.query, 'query');
    const partitions = await lag.describe(brokers, query.group_id, query.topic);
    if (partitions.length === 0) throw notFound(`consumer group ${query.group_id} has no committed offsets`);
    const offsets = offsetsByTopic(partitions);
    response.json(offsets);
  });

  router.get('/monitor/consumer-group-lag', async (request, response) => {
    const query = parseOrBadRequest(GroupQuerySchema, request.query, 'query');
    const partitions = await lag.describe(brokers, query.group_id, query.topic);
    if (partitions.length === 0) throw notFound(`consumer group ${query.group_id} has no committed offsets${query.topic ? ` for ${query.topic}` : ''}`);
    response.json(
      Object.fromEntries(
        partitions.map((partition) => [
          query.topic ? String(partition.partition) : `${partition.topic}/${partition.partition}`,
          {
            current_offset: partition.current_offset,
            log_end_offset: partition.log_end_offset,
            lag: partition.lag,
            status: partition.status,
            estimated_lag_seconds: partition.estimated_lag_seconds,
          },
        ]),
      ),
    );
  });

  router.get('/runtime', (_request, response) => {
    response.json(runtimeReport(manager));
  });

  return router;
}
