import { ConfigError, effectiveConcurrency, missingEnv } from '@sluice/core';
import type { HttpClient } from '@sluice/http';
import type { Limiter } from './admission';
import { CircuitBreaker } from './circuitBreaker';
import { CREDENTIAL_PLACEHOLDER } from './credentialRequest';
import type { KeyFetchContext } from './fetchKey';
import type { LoadedCrawl } from './loadCrawl';
import { PauseGate } from './pauseGate';
import { ThrottleGate } from './throttleGate';

const ENV_PLACEHOLDER = /\{env\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Resolves `{env.NAME}` in headers and collects every secret value the crawl uses, so any text
 * leaving the process can be scrubbed of them.
 * @throws ConfigError naming the environment variables that are missing.
 */
export function buildKeyFetchContext(
  crawl: LoadedCrawl,
  deps: { http: HttpClient; limiter: Limiter; env: NodeJS.ProcessEnv; signal: AbortSignal; throttle?: ThrottleGate },
): KeyFetchContext {
  const { spec, template } = crawl;
  const headerEnv = Object.values(spec.request.headers).flatMap((v) => [...v.matchAll(ENV_PLACEHOLDER)].map((m) => m[1] as string));
  const credentialEnv = spec.credentials?.env ?? [];
  const missing = [
    ...new Set([...missingEnv(template, deps.env), ...headerEnv.filter((n) => !deps.env[n]), ...credentialEnv.filter((n) => !deps.env[n])]),
  ];
  if (missing.length > 0) {
    throw new ConfigError(`crawl ${crawl.row.name} needs environment variable(s) ${missing.join(', ')}`);
  }
  const headers = Object.fromEntries(
    Object.entries(spec.request.headers).map(([name, value]) => [
      name,
      value.replace(ENV_PLACEHOLDER, (_, n: string) => deps.env[n] ?? ''),
    ]),
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
    throttle: deps.throttle ?? new ThrottleGate(),
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
