import { effectiveConcurrency } from '@sluice/core';
import type { HttpClient } from '@sluice/http';
import type { CrawlLimiter } from '@sluice/limiter';
import { CircuitBreaker } from './circuitBreaker';
import { CREDENTIAL_PLACEHOLDER } from './credentialRequest';
import type { KeyFetchContext } from './fetchKey';
import type { LoadedCrawl } from './loadCrawl';
import { PauseGate } from './pauseGate';
import { assertSpecEnv, headerEnvNames, resolveHeaderEnv } from './specEnv';

/**
 * Resolves `{env.NAME}` in headers and collects every secret value the crawl uses, so any text
 * leaving the process can be scrubbed of them.
 * @throws ConfigError naming the environment variables that are missing.
 */
export function buildKeyFetchContext(
  crawl: LoadedCrawl,
  deps: { http: HttpClient; limiter: CrawlLimiter; env: NodeJS.ProcessEnv; signal: AbortSignal },
): KeyFetchContext {
  const { spec, template } = crawl;
  assertSpecEnv(spec, deps.env, template);
  const headerEnv = headerEnvNames(spec);
  const credentialEnv = spec.credentials?.env ?? [];
  const headers = Object.fromEntries(
    Object.entries(spec.request.headers).map(([name, value]) => [name, resolveHeaderEnv(value, deps.env)]),
  );
  const secrets = [...new Set([...template.envNames, ...headerEnv, ...credentialEnv])]
    .map((n) => deps.env[n] ?? '')
    .filter((v) => v.length > 0);
  const credentialValues = new Map(credentialEnv.map((n) => [n, deps.env[n] ?? '']));
  return {
    crawlId: crawl.row.id,
    spec,
    template,
    http: deps.http,
    limiter: deps.limiter,
    pause: new PauseGate(),
    breaker: new CircuitBreaker(spec.breaker),
    headers,
    credentialHeaders: Object.values(headers).some((v) => v.includes(CREDENTIAL_PLACEHOLDER)),
    credentialValues,
    secrets,
    env: deps.env,
    signal: deps.signal,
  };
}

/** Batches a process works on at once: enough queued keys to keep every request slot busy. */
export function jobConcurrency(crawl: LoadedCrawl, concurrency: number = effectiveConcurrency(crawl.spec.limits)): number {
  return Math.max(2, Math.ceil((2 * concurrency) / crawl.batchSize) + 1);
}
