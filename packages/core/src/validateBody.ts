import { PermanentError, TransientError } from './errors';
import type { ValidationRules } from './spec';

/** Reads a dotted path (`hex.clean`) from parsed JSON. */
export function getPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * Parses a 2xx body as JSON and applies the spec's validation rules.
 * An unparseable body is transient (often a truncated or proxy-mangled response); a body that
 * parses but breaks a rule is permanent (asking again returns the same answer).
 */
export function validateJsonBody(body: string, key: string, rules: ValidationRules): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new TransientError(body.length === 0 ? 'empty body' : 'body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object') throw new PermanentError('body is not a JSON object or array');
  for (const field of rules.requiredFields) {
    if (getPath(parsed, field) === undefined) throw new PermanentError(`body lacks required field ${field}`);
  }
  if (rules.keyField !== undefined) {
    const actual = getPath(parsed, rules.keyField);
    if (actual !== key) throw new PermanentError(`body field ${rules.keyField} is ${JSON.stringify(actual)}, expected the key`);
  }
  return parsed;
}
