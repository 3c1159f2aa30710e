import { ConfigError, redactText, toError } from '@sluice/core';
import { crawlRate, type Engine, listFailed, pauseCrawl, resumeCrawl, retryFailed, status } from '@sluice/engine';
import type { FastifyInstance } from 'fastify';
import type { EventHub } from './events';
import type { MetricsEndpoint } from './metrics';
import { PAGE_CSP, PAGE_HTML } from './page';

const FAILED_LIMIT_DEFAULT = 200;
const FAILED_LIMIT_MAX = 1000;
/** POST-only paths: another method gets 405, not a misleading 404. */
const POST_ONLY = /^\/api\/crawls\/[^/]+\/(pause|resume|retry-failed)$/;

type RefParams = { Params: { ref: string } };

/**
 * The JSON API, the event stream, `/metrics` and the page. Errors never carry internals: an
 * unknown crawl is a 404 naming only the reference given, anything else a bare 500 (logged,
 * redacted, on the server side).
 */
export function registerRoutes(app: FastifyInstance, engine: Engine, hub: EventHub, metrics: MetricsEndpoint): void {
  app.setErrorHandler((thrown, request, reply) => {
    if (thrown instanceof ConfigError) {
      const ref = (request.params as { ref?: string } | undefined)?.ref;
      return reply.code(404).send({ error: ref === undefined ? 'not found' : `no crawl "${ref}"` });
    }
    const err = toError(thrown);
    const code = (err as { statusCode?: number }).statusCode;
    if (code !== undefined && code >= 400 && code < 500) return reply.code(code).send({ error: 'bad request' });
    engine.config.log.error(`dashboard: ${request.method} ${request.url.split('?')[0]}: ${redactText(err.message)}`);
    return reply.code(500).send({ error: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (POST_ONLY.test(path)) return reply.code(405).header('allow', 'POST').send({ error: 'use POST' });
    return reply.code(404).send({ error: 'not found' });
  });

  app.get('/', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', PAGE_CSP)
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .send(PAGE_HTML),
  );

  app.get('/api/crawls', async () => status(engine));
  app.get<RefParams>('/api/crawls/:ref', async (request) => (await status(engine, request.params.ref))[0]);
  app.get<RefParams & { Querystring: { limit?: string } }>('/api/crawls/:ref/failed', async (request) => {
    const asked = Number(request.query.limit ?? FAILED_LIMIT_DEFAULT);
    const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, FAILED_LIMIT_MAX) : FAILED_LIMIT_DEFAULT;
    const { name, failures } = await listFailed(engine, request.params.ref, limit);
    return { name, limit, failures: failures.map((f) => ({ ...f, failedAt: new Date(f.failedAt).toISOString() })) };
  });
  app.get<RefParams>('/api/crawls/:ref/rate', async (request) => crawlRate(engine, request.params.ref));

  app.post<RefParams>('/api/crawls/:ref/pause', async (request) => ({ ...(await pauseCrawl(engine, request.params.ref)), paused: true }));
  app.post<RefParams>('/api/crawls/:ref/resume', async (request) => ({
    ...(await resumeCrawl(engine, request.params.ref)),
    paused: false,
  }));
  app.post<RefParams>('/api/crawls/:ref/retry-failed', async (request) => retryFailed(engine, request.params.ref));

  app.get('/api/events', (request, reply) => {
    reply.hijack();
    hub.add(reply.raw);
    request.raw.on('close', () => reply.raw.end());
  });

  app.get('/metrics', async (_request, reply) =>
    reply
      .type(metrics.contentType)
      .header('cache-control', 'no-store')
      .send(await metrics.scrape()),
  );
}
