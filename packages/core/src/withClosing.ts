/** Anything closed asynchronously once used: an engine, a server, a store. */
export interface Closable {
  close(): Promise<void>;
}

/** Runs `fn` with the resource `opening` resolves to and always closes it, even when `fn` throws. */
export async function withClosing<R extends Closable, T>(opening: Promise<R>, fn: (resource: R) => Promise<T>): Promise<T> {
  const resource = await opening;
  try {
    return await fn(resource);
  } finally {
    await resource.close();
  }
}
