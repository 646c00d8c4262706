/** /api/groups: every consumer group on the cluster, and offset resets for a group with no active members. */
import { Router } from 'express';
import { planOffsetReset, resetGroupOffsets, type ResetTarget } from '../../engine/group-offsets.js';
import type { ClusterView } from '../cluster-view.js';
import { readGroupsOverview, type GroupsOverview } from '../groups-overview.js';
import { LagHistory } from '../lag-status.js';
import { notFound, parseOrBadRequest } from '../problem.js';
import { OffsetResetSchema } from '../schemas.js';
import { brokerProblem } from './topics.js';

/** How old the groups overview may be, ms: several pages polling share one read of the broker. */
export const overviewCacheMs = 1_000;

export function groupsRouter(view: ClusterView): Router {
  const router = Router();
  const history = new LagHistory();
  let cached: { atMs: number; overview: GroupsOverview } | undefined;
  let reading: Promise<GroupsOverview> | undefined;

  router.get('/groups', async (_request, response) => {
    if (!cached || Date.now() - cached.atMs > overviewCacheMs) {
      reading ??= view
        .admin()
        .then((admin) => readGroupsOverview(admin, history))
        .finally(() => {
          reading = undefined;
        });
      try {
        const overview = await reading;
        cached = { atMs: Date.now(), overview };
      } catch (error) {
        view.dropAdmin();
        throw brokerProblem(error);
      }
    }
    response.json(cached.overview);
  });

  router.post('/groups/:group/reset-offsets', async (request, response) => {
    const body = parseOrBadRequest(OffsetResetSchema, request.body, 'offset reset');
    const { group } = request.params;
    const target: ResetTarget =
      body.to === 'offset'
        ? { kind: 'offset', offset: BigInt(body.offset ?? 0) }
        : body.to === 'timestamp'
          ? { kind: 'timestamp', timestampMs: body.timestamp ?? 0 }
          : { kind: body.to };
    try {
      const admin = await view.admin();
      // The topic must exist: committing offsets for a misspelt one would create nothing useful.
      if (!(await admin.listTopics()).includes(body.topic)) throw notFound(`topic ${body.topic} does not exist`);
      const plan = body.dryRun
        ? await planOffsetReset(admin, group, body.topic, target)
        : await resetGroupOffsets(view.kafka, admin, group, body.topic, target);
      cached = undefined;
      response.json({ ...plan, dryRun: body.dryRun });
    } catch (error) {
      throw brokerProblem(error);
    }
  });

  return router;
}
