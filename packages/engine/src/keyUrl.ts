import { buildUrl, toError } from '@sluice/core';
import type { KeyFetchContext } from './keyFetchContext';

/**
 * The key's request URL with `credential` for `{credential}`, or why it cannot be made safely
 * (an InvalidKeyError when the key, or the credential, would move the request; see buildUrl).
 * Returned, not thrown: a key that fails here is a ledger failure, not an exception.
 */
export function keyUrl(ctx: KeyFetchContext, key: string, credential: string | undefined): URL | Error {
  try {
    return buildUrl(ctx.template, key, ctx.env, credential);
  } catch (err) {
    return toError(err);
  }
}
