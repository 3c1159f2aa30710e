import { ConfigError, type CrawlSpec, compileUrlTemplate, labelsShowingValues, missingEnv, type UrlTemplate } from '@sluice/core';

const ENV_PLACEHOLDER = /\{env\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Names of the environment variables the spec's request headers read (`{env.NAME}`). */
export function headerEnvNames(spec: CrawlSpec): string[] {
  return Object.values(spec.request.headers).flatMap((v) => [...v.matchAll(ENV_PLACEHOLDER)].map((m) => m[1] as string));
}

/** Replaces `{env.NAME}` in a header value with the variable's value. */
export function resolveHeaderEnv(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(ENV_PLACEHOLDER, (_, n: string) => env[n] ?? '');
}

/** Environment variables the URL template, the headers or the credential pool read that are unset or empty here. */
export function missingSpecEnv(spec: CrawlSpec, template: UrlTemplate, env: NodeJS.ProcessEnv): string[] {
  const credentialEnv = spec.credentials?.env ?? [];
  return [...new Set([...missingEnv(template, env), ...[...headerEnvNames(spec), ...credentialEnv].filter((n) => !env[n])])];
}

/**
 * Refuses a spec whose `{env.NAME}` placeholders are not all set here. `run` calls it before
 * anything is written (a refused run leaves no crawl row); a worker calls it before fetching.
 * @throws ConfigError naming every missing variable.
 */
export function assertSpecEnv(spec: CrawlSpec, env: NodeJS.ProcessEnv, template: UrlTemplate = compileUrlTemplate(spec.request.url)): void {
  const missing = missingSpecEnv(spec, template, env);
  if (missing.length > 0) throw new ConfigError(`crawl ${spec.name} needs environment variable(s) ${missing.join(', ')}`);
  const shown = spec.credentials ? labelsShowingValues(spec.credentials, env) : [];
  if (shown.length > 0) throw new ConfigError(`crawl ${spec.name} is invalid:\n  ${shown.join('\n  ')}`, shown);
}
