import { withClosing } from '@sluice/core';
import type { MockApiOptions } from './options';
import { type MockApi, startMockApi } from './server';

/** Runs `fn` against a fresh mock API and always closes it, even when `fn` throws. */
export function withMockApi<T>(options: MockApiOptions, fn: (api: MockApi) => Promise<T>): Promise<T> {
  return withClosing(startMockApi(options), fn);
}
