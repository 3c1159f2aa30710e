import { ConfigError, redactText, toError } from '@sluice/core';
import { type Engine, metricsSnapshot, openEngine, status } from '@sluice/engine';
import Fastify from 'fastify';
import { createEventHub } from './events';
import { createGuard } from './guard';
import { createMetricsEndpoint } from './metrics';
import { checkBinding, type DashboardOptions, DEFAULT_HOST, DEFAULT_PORT } from './options';
import { registerRoutes } from './routes';

const MIN_PUSH_INTERVAL_MS = 100;

/** A running dashboard. */
export interface Dashboard {
  /** Where it listens, e.g. `http://127.0.0.1:8080/` (without the token). */
  readonly url: string;
  /** Ends live event streams, stops listening, closes the engine if the dashboard opened it. */
  close(): Promise<void>;
}

/**
 * Starts the dashboard: the page, the JSON/SSE API and `/metrics` over the engine's status
 * use-case. Refuses (ConfigError) to bind beyond loopback without a token, before binding.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  checkBinding(host, port, options.token);
  if (!options.engine && !options.engineConfig) throw new ConfigError('startDashboard: give engine or engineConfig');
  const ownEngine = options.engine === undefined;
  const engine: Engine = options.engine ?? (await openEngine(options.engineConfig as NonNullable<DashboardOptions['engineConfig']>));

  const hub = createEventHub(
    () => status(engine),
    Math.max(MIN_PUSH_INTERVAL_MS, options.pushIntervalMs ?? 1000),
    (err) => engine.config.log.warn(`dashboard: live update failed: ${redactText(toError(err).message)}`),
  );
  const metrics = createMetricsEndpoint(() => metricsSnapshot(engine));
  // Event streams never go idle: close() must cut connections instead of waiting for them.
  const app = Fastify({ logger: false, forceCloseConnections: true, return503OnClosing: true });
  app.addHook('onRequest', createGuard({ host, token: options.token }));
  registerRoutes(app, engine, hub, metrics);

  try {
    await app.listen({ host, port });
  } catch (thrown) {
    hub.close();
    if (ownEngine) await engine.close();
    const err = toError(thrown);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new ConfigError(`cannot listen on ${host}:${port} (${code}): choose another --host or --port`, undefined, { cause: err });
    }
    throw err;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${boundPort}/`,
    close() {
      closed ??= (async () => {
        hub.close();
        await app.close();
        if (ownEngine) await engine.close();
      })();
      return closed;
    },
  };
}
