import type { MockApiOptions } from './options';
import { type MockApi, startMockApi } from './server';

/** Runs `fn` against a fresh mock API and always closes it, even when `fn` throws. */
export async function withMockApi<T>(options: MockApiOptions, fn: (api: MockApi) => Promise<T>): Promise<T> {
  const api = await startMockApi(options);
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}
