/** Thrown when the worker is shutting down: the key is left for a later run, not failed. */
export class KeyAbortedError extends Error {
  override name = 'KeyAbortedError';
}
