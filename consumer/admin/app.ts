/**
 * The admin server's Express app: safe defaults first (Host check, no changes from other sites,
 * token, body limit), then the API, the earlier designs' route names, metrics, docs and the
 * dashboard, and problem+json errors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import type { AdminSettings } from './settings.js';
import type { Logger } from '../../shared/logger.js';
import { projectRoot } from '../../shared/paths.js';
import type { ClusterView } from './cluster-view.js';
import type { ConsumerManager } from './consumer-manager.js';
import type { LagService } from './lag-service.js';
import { createMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { HttpError, notFound, problemHandler, sendProblem } from './problem.js';
import { consumersRouter } from './routes/consumers.js';
import { groupsRouter } from './routes/groups.js';
import { legacyRouter } from './routes/legacy.js';
import { liveRouter } from './routes/live.js';
import { monitorRouter } from './routes/monitor.js';
import { topicsRouter } from './routes/topics.js';
import { eventLoopDelay } from './runtime.js';
import { brokersAnswer, cachedCheck } from './readiness.js';
import { hostCheck, refuseCrossSite, requireToken } from './security.js';

export interface AdminAppOptions {
  admin: AdminSettings;
  brokers: readonly string[];
  manager: ConsumerManager;
  lag: LagService;
  /** The live view of topics and groups the dashboard's topic and groups pages show. */
  view: ClusterView;
  log: Logger;
}

/** Request bodies are small JSON definitions; anything larger is a mistake or an attack. */
export const bodyLimit = '64kb';

const pagesDir = join(projectRoot, 'consumer', 'admin', 'pages');
/** uPlot, served from node_modules: the pages load nothing from another site, so they work offline. */
const vendorFiles: Record<string, string> = {
  'uplot.iife.min.js': join(projectRoot, 'node_modules', 'uplot', 'dist', 'uPlot.iife.min.js'),
  'uplot.min.css': join(projectRoot, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'),
};

export function createAdminApp(options: AdminAppOptions): Express {
  const { admin, brokers, manager, lag, view, log } = options;
  eventLoopDelay();
  const app = express();
  app.disable('x-powered-by');
  // Responses are rebuilt on every poll; hashing each one for an ETag costs more than it saves.
  app.set('etag', false);
  app.set('json spaces', 0);
  app.use(hostCheck(admin));
  app.use(refuseCrossSite());
  app.use((_request, response, next) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Content-Security-Policy', "default-src 'self'; frame-ancestors 'none'");
    next();
  });

  // Open to anyone who can reach the port: probes, the static pages and the API description.
  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  const ready = cachedCheck(() => brokersAnswer(brokers, log), { maxAgeMs: 2_000 });
  app.get('/readyz', async (_request, response) => {
    if (await ready()) response.json({ status: 'ready', brokers });
    else sendProblem(response, new HttpError(503, 'Service Unavailable', `no Kafka broker answers at ${brokers.join(', ')}`));
  });
  const page = (name: string): string => readFileSync(join(pagesDir, name), 'utf8');
  const [dashboard, docs, topics, topic, groups] = ['dashboard.html', 'docs.html', 'topics.html', 'topic.html', 'groups.html'].map(page) as [
    string,
    string,
    string,
    string,
    string,
  ];
  app.get('/', (_request, response) => void response.type('html').send(dashboard));
  app.get('/docs', (_request, response) => void response.type('html').send(docs));
  app.get('/topics', (_request, response) => void response.type('html').send(topics));
  app.get('/topics/:name', (_request, response) => void response.type('html').send(topic));
  app.get('/groups', (_request, response) => void response.type('html').send(groups));
  const vendor = Object.fromEntries(Object.entries(vendorFiles).map(([name, path]) => [name, readFileSync(path)]));
  app.get('/vendor/:file', (request, response) => {
    const body = vendor[request.params.file];
    if (!body) throw notFound(`no file ${request.params.file} in /vendor`);
    response.type(request.params.file.endsWith('.css') ? 'css' : 'js').setHeader('Cache-Control', 'public, max-age=3600');
    response.send(body);
  });
  const document = openApiDocument();
  app.get('/docs/openapi.json', (_request, response) => void response.json(document));
  app.use('/assets', express.static(pagesDir, { index: false, maxAge: '1m' }));

  // Everything below needs the token when one is set.
  app.use(requireToken(admin));
  app.use(express.json({ limit: bodyLimit, strict: true }));
  // express.json() skips other media types and leaves no body, which would read as "expected object, received undefined".
  app.use((request, _response, next) => {
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
    if (hasBody && request.body === undefined)
      throw new HttpError(415, 'Unsupported Media Type', `send the body as application/json (got ${request.headers['content-type'] ?? 'no content-type'})`);
    next();
  });
  app.use('/api', consumersRouter(manager, lag), monitorRouter(manager, lag, brokers), topicsRouter(view, log), liveRouter(view), groupsRouter(view));
  app.use(legacyRouter(manager, lag));
  const registry = createMetrics(manager, lag);
  app.get('/metrics', async (_request, response) => {
    response.type(registry.contentType).send(await registry.metrics());
  });

  app.use((request) => {
    throw notFound(`no route ${request.method} ${request.path}; see /docs`);
  });
  app.use(problemHandler(log));
  return app;
}
