import { PermanentError, ThrottledError, TransientError } from './errors';
import { DEFAULT_MAX_JSON_DEPTH, jsonNestsDeeperThan, tooDeepReason } from './jsonDepth';
import type { ResponseRules, ValidationRules } from './spec';

/** Reads a dotted path (`hex.clean`) from parsed JSON. */
export function getPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of pathParts(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Split paths by path: the same few paths (a spec's key field and required fields) are read for every body. */
const splitPaths = new Map<string, readonly string[]>();
const MAX_SPLIT_PATHS = 256;

function pathParts(path: string): readonly string[] {
  let parts = splitPaths.get(path);
  if (parts === undefined) {
    parts = path.split('.');
    // Bounded: a long-lived process (the dashboard's export) may read many different paths.
    if (splitPaths.size >= MAX_SPLIT_PATHS) splitPaths.clear();
    splitPaths.set(path, parts);
  }
  return parts;
}

/** The spec's validation rules; `maxDepth` defaults to {@link DEFAULT_MAX_JSON_DEPTH}. */
export type BodyRules = Omit<ValidationRules, 'maxDepth' | 'keyFormat'> & { maxDepth?: number };

/**
 * Parses a 2xx body as JSON and applies the spec's validation rules.
 * An unparseable body is transient (often a truncated or proxy-mangled response); a body that
 * parses but breaks a rule is permanent (asking again returns the same answer).
 */
export function validateJsonBody(body: string, key: string, rules: BodyRules, responseRules?: ResponseRules): unknown {
  const maxDepth = rules.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  if (responseRules?.throttleWhenBodyMatches && throttlePattern(responseRules.throttleWhenBodyMatches).test(body)) {
    throw new ThrottledError('throttle signal in the response body', responseRules.throttleBodyPauseMs);
  }
  // Before the parse, which would build every level of a nesting bomb.
  if (jsonNestsDeeperThan(body, maxDepth)) {
    throw new PermanentError(tooDeepReason(maxDepth));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new TransientError(body.length === 0 ? 'empty body' : 'body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object') throw new PermanentError('body is not a JSON object or array');
  // Skipped without any field rule (the default), as it runs for every body.
  if (responseRules && (responseRules.throttleWhenFields.length > 0 || responseRules.permanentWhenFields.length > 0)) {
    applyResponseRules(parsed as Record<string, unknown>, rules, responseRules);
  }
  for (const field of rules.requiredFields) {
    // null counts as missing: APIs answer input they do not understand with `"rgb": null`.
    if (getPath(parsed, field) == null) throw new PermanentError(`body lacks required field ${field}`);
  }
  if (rules.keyField !== undefined) {
    const actual = getPath(parsed, rules.keyField);
    if (actual !== key) throw new PermanentError(`body field ${rules.keyField} is ${JSON.stringify(actual)}, expected the key`);
  }
  return parsed;
}

/** Compiled `throttleWhenBodyMatches` patterns by source: compiled once, not for every body. */
const throttlePatterns = new Map<string, RegExp>();

function throttlePattern(source: string): RegExp {
  let pattern = throttlePatterns.get(source);
  if (pattern === undefined) {
    // Bounded, like the split paths: a long-lived process may see many specs.
    if (throttlePatterns.size >= MAX_SPLIT_PATHS) throttlePatterns.clear();
    // Case-insensitive and without the g or y flags, so `test` keeps no state between bodies.
    pattern = new RegExp(source, 'i');
    throttlePatterns.set(source, pattern);
  }
  return pattern;
}

/**
 * Body-level signals of APIs that answer 200 for everything: a throttle note instead of data
 * (pause, no attempt used) or an error message for a bad key (fail at once).
 */
function applyResponseRules(body: Record<string, unknown>, rules: BodyRules, responseRules: ResponseRules): void {
  const throttleField = responseRules.throttleWhenFields.find((f) => f in body);
  if (throttleField !== undefined) {
    const hasData = rules.requiredFields.length > 0 && rules.requiredFields.every((f) => getPath(body, f) != null);
    if (!hasData) throw new ThrottledError(`throttle signal in the response body (${throttleField})`, responseRules.throttleBodyPauseMs);
  }
  const errorField = responseRules.permanentWhenFields.find((f) => f in body);
  if (errorField !== undefined) {
    const text = body[errorField];
    // Whole: the API may echo a secret here, and only the whole text can be redacted (the
    // reason is cut to length after redaction, see redactReason).
    throw new PermanentError(`${errorField}: ${typeof text === 'string' ? text : JSON.stringify(text)}`);
  }
}
