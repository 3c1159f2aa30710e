import { ConfigError, InvalidKeyError } from './errors';

/**
 * URL templates: `{key}` becomes the URL-encoded key, `{env.NAME}` an environment variable read
 * when the request is built, `{credential}` the value of the pool credential the request was
 * admitted on (see `credentials` in the spec); secrets live only in worker memory. After building, the URL's
 * origin and path must still be the template's: a key can never move a request elsewhere.
 */

type Part = { kind: 'text'; text: string } | { kind: 'key' } | { kind: 'env'; name: string } | { kind: 'credential' };

export interface UrlTemplate {
  /** The template as written (may contain `{env.*}` placeholders, never their values). */
  readonly source: string;
  readonly parts: readonly Part[];
  /** `protocol://host:port` of the template. */
  readonly origin: string;
  /** Path before the first placeholder; a built URL's path must start with it. */
  readonly pathPrefix: string;
  /** Whether `{key}` appears in the path (otherwise the path must match exactly). */
  readonly keyInPath: boolean;
  /** The template's path when `{key}` is not in it. */
  readonly exactPath: string;
  /** Environment variables the template reads. */
  readonly envNames: readonly string[];
  /** Whether `{credential}` appears (the crawl then needs a credential pool). */
  readonly usesCredential: boolean;
}

const PLACEHOLDER = /\{(key|credential|env\.([A-Za-z_][A-Za-z0-9_]*))\}/g;

function splitTemplate(source: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push({ kind: 'text', text: source.slice(last, match.index) });
    parts.push(match[2] ? { kind: 'env', name: match[2] } : match[1] === 'credential' ? { kind: 'credential' } : { kind: 'key' });
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push({ kind: 'text', text: source.slice(last) });
  return parts;
}

/**
 * Parses and checks a URL template.
 * @throws ConfigError when the template is not an http(s) URL or has no `{key}`.
 */
export function compileUrlTemplate(source: string, field = 'request.url'): UrlTemplate {
  const parts = splitTemplate(source);
  const leftover = parts.some((p) => p.kind === 'text' && /[{}]/.test(p.text));
  if (leftover) throw new ConfigError(`${field}: unknown placeholder; use {key}, {credential} or {env.NAME}`);
  if (!parts.some((p) => p.kind === 'key')) throw new ConfigError(`${field}: expected a {key} placeholder`);
  const probe = parts.map((p) => (p.kind === 'text' ? p.text : 'x')).join('');
  let parsed: URL;
  try {
    parsed = new URL(probe);
  } catch {
    throw new ConfigError(`${field}: expected an absolute http(s) URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${field}: expected an http or https URL, got ${parsed.protocol}`);
  }
  const beforeFirst = source.slice(0, source.search(PLACEHOLDER));
  const schemeEnd = beforeFirst.indexOf('://');
  const afterHost = schemeEnd >= 0 ? beforeFirst.indexOf('/', schemeEnd + 3) : -1;
  if (schemeEnd < 0 || afterHost < 0) {
    throw new ConfigError(`${field}: placeholders may not appear in the scheme or host`);
  }
  const staticPath = beforeFirst.slice(afterHost).split(/[?#]/)[0] ?? '/';
  const keyIndex = parts.findIndex((p) => p.kind === 'key');
  const textBeforeKey = parts
    .slice(0, keyIndex)
    .map((p) => (p.kind === 'text' ? p.text : 'x'))
    .join('');
  const keyInPath = !textBeforeKey.includes('?');
  return {
    source,
    parts,
    origin: parsed.origin,
    pathPrefix: staticPath,
    keyInPath,
    exactPath: parsed.pathname,
    envNames: parts.flatMap((p) => (p.kind === 'env' ? [p.name] : [])),
    usesCredential: parts.some((p) => p.kind === 'credential'),
  };
}

/** Names of environment variables a template needs but the environment lacks. */
export function missingEnv(template: UrlTemplate, env: NodeJS.ProcessEnv = process.env): string[] {
  return template.envNames.filter((name) => env[name] === undefined || env[name] === '');
}

function encode(value: string, what: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    throw new InvalidKeyError(`${what} is not valid Unicode text`);
  }
}

/** Percent-encodings of `.`, `/`, `\` and `%` itself, undone by {@link undoPathEncodings}. */
const PATH_ENCODINGS: Record<string, string> = { '2e': '.', '2f': '/', '5c': '\\', '25': '%' };
const PATH_ENCODING = /%(2e|2f|5c|25)/gi;

/** Undoes those encodings, up to three times over (`%252e` is `%2e` decoded once more by some servers). */
function undoPathEncodings(key: string): string {
  let text = key;
  for (let round = 0; round < 3; round++) {
    const next = text.replace(PATH_ENCODING, (_, code: string) => PATH_ENCODINGS[code.toLowerCase()] ?? '');
    if (next === text) break;
    text = next;
  }
  return text;
}

/**
 * Whether a key is, or holds, a dot segment (`.`, `..`) once decoded: `.`, `..`, `%2e`,
 * `%2E%2e`, `..%2F`, `a/../b`. In a path, a dot segment moves the request: `.` in
 * `/items/{key}/detail` asks for `/items/detail`. URL parsing turns `.` and `%2e` into
 * a dot segment, and servers or proxies that decode once more do the same to `%252e`.
 */
export function isDotSegmentKey(key: string): boolean {
  return undoPathEncodings(key)
    .split(/[/\\]/)
    .some((segment) => segment === '.' || segment === '..');
}

/**
 * Builds the request URL for one key and checks it stays on the template's origin and path.
 * `credential` is the value `{credential}` stands for (the pool credential of this request).
 * @throws InvalidKeyError when the key would change where the request goes.
 */
export function buildUrl(template: UrlTemplate, key: string, env: NodeJS.ProcessEnv = process.env, credential?: string): URL {
  if (template.keyInPath && isDotSegmentKey(key)) {
    throw new InvalidKeyError(
      'key holds a dot segment (".", ".." or an encoding such as %2e) that would move the request within the URL path',
    );
  }
  // A plain loop: this runs for every request.
  let text = '';
  for (const p of template.parts) {
    if (p.kind === 'text') text += p.text;
    else if (p.kind === 'key') text += encode(key, 'key');
    else if (p.kind === 'credential') {
      if (!credential) throw new InvalidKeyError('no credential for {credential}');
      text += encode(credential, 'the credential');
    } else {
      const value = env[p.name];
      if (value === undefined || value === '') throw new InvalidKeyError(`environment variable ${p.name} is not set`);
      text += encode(value, `environment variable ${p.name}`);
    }
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidKeyError('key does not make a valid URL');
  }
  const pathOk = template.keyInPath ? url.pathname.startsWith(template.pathPrefix) : url.pathname === template.exactPath;
  if (url.origin !== template.origin || !pathOk || url.username || url.password || url.hash) {
    throw new InvalidKeyError("key would move the request off the template's origin or path");
  }
  return url;
}
