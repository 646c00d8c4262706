/**
 * /api/topics/:name/live: the topic view pushed as server-sent events, one message a second (after
 * each poll), the first holding the whole timeline and history. Every page watching a topic shares
 * one poller; a page that closes stops receiving, and the last one stops the polling.
 */
import { Router } from 'express';
import type { ClusterView, LiveMessage } from '../cluster-view.js';
import { brokerProblem } from './topics.js';

/** A page that reads slower than this many bytes behind is cut off rather than buffered without end. */
const maxBufferedBytes = 4 * 1024 * 1024;

export function liveRouter(view: ClusterView): Router {
  const router = Router();

  router.get('/topics/:name/live', async (request, response) => {
    const topic = request.params.name;
    // A missing topic is a 404 before the stream opens; a broker that does not answer is a stream that says so.
    let first: LiveMessage;
    try {
      first = await view.current(topic);
    } catch (error) {
      const problem = brokerProblem(error);
      if (problem.status === 404) throw problem;
      first = {
        topic,
        updatedAtMs: null,
        checkedAtMs: Date.now(),
        unreachable: { sinceMs: Date.now(), error: problem.message },
        snapshot: null,
        events: [],
        history: [],
      };
    }
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    const send = (type: string, message: LiveMessage): void => {
      if (response.writableLength > maxBufferedBytes) {
        response.end();
        return;
      }
      response.write(`event: ${type}\ndata: ${JSON.stringify(message)}\n\n`);
    };
    send('init', first);
    const stop = view.watch(topic, (message) => send('tick', message));
    request.on('close', stop);
    response.on('close', stop);
  });

  return router;
}
