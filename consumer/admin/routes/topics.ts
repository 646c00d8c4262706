/** /api/topics: the topics, one topic's partitions, groups, timeline and history now, and the message browser. */
import { Router } from 'express';
import { isHarnessError, messageOf, TopicNotFoundError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import { browseRecords } from '../../engine/record-browser.js';
import type { ClusterView } from '../cluster-view.js';
import { GroupHasMembersError } from '../../engine/group-offsets.js';
import { conflict, HttpError, notFound, parseOrBadRequest, serviceUnavailable } from '../problem.js';
import { RecordsQuerySchema } from '../schemas.js';

/** Reads of the message browser at once; each joins a group of its own, so a page (or a script) can't make the server join hundreds. */
export const maxConcurrentBrowses = 2;
/** Longest one browse may take, ms. */
export const browseTimeLimitMs = 5_000;

/** What a failed broker read means to the client: a missing topic, a group in use, or a broker that did not answer. */
export function brokerProblem(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof TopicNotFoundError) return notFound(`topic ${error.topic} does not exist`);
  if (error instanceof GroupHasMembersError) return conflict(error.message, { group: error.group, state: error.state });
  if (error instanceof RangeError) return notFound(error.message);
  if (isHarnessError(error) && error.exitCode === 2) return new HttpError(400, 'Bad Request', error.message);
  return serviceUnavailable(`the broker did not answer: ${messageOf(error)}`);
}

export function topicsRouter(view: ClusterView, log: Logger): Router {
  const router = Router();

  router.get('/topics', async (_request, response) => {
    response.json(await view.topics().catch((error: unknown) => Promise.reject(brokerProblem(error))));
  });

  router.get('/topics/:name', async (request, response) => {
    response.json(await view.current(request.params.name).catch((error: unknown) => Promise.reject(brokerProblem(error))));
  });

  let browsing = 0;
  router.get('/topics/:name/records', async (request, response) => {
    const query = parseOrBadRequest(RecordsQuerySchema, request.query, 'query');
    if (browsing >= maxConcurrentBrowses)
      throw new HttpError(429, 'Too Many Requests', `at most ${maxConcurrentBrowses} reads of the message browser at once; try again`);
    browsing += 1;
    try {
      const admin = await view.admin();
      const result = await browseRecords(
        view.kafka,
        admin,
        {
          topic: request.params.name,
          partition: query.partition,
          start: query.timestamp === undefined ? { kind: 'offset', offset: query.offset ?? 0 } : { kind: 'timestamp', timestampMs: query.timestamp },
          limit: query.limit,
          timeLimitMs: browseTimeLimitMs,
        },
        log,
      );
      response.json(result);
    } catch (error) {
      throw brokerProblem(error);
    } finally {
      browsing -= 1;
    }
  });

  return router;
}
