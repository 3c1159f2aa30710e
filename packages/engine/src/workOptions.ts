import type { ProgressSnapshot } from './progress';

export interface WorkOptions {
  /** Requests in flight in this process. Default: the spec's `limits.concurrency`. */
  concurrency?: number;
  /** Also compete for the producer lease and enqueue when holding it. Default true. */
  produce?: boolean;
  /** Stops the session (graceful shutdown): in-flight keys return to the queue. */
  signal?: AbortSignal;
  /** Called about every `progressIntervalMs` with a snapshot. */
  onProgress?: (snapshot: ProgressSnapshot) => void;
  /** Default 500. */
  progressIntervalMs?: number;
  /**
   * Extra validation of each parsed 2xx body, in code: throw `PermanentError` to fail the key,
   * `TransientError` to retry it. Default none.
   */
  validate?: (body: unknown, key: string) => void;
  /**
   * How long failed ledger writes (disk full, read-only file) are retried, fetching nothing
   * meanwhile, before `work` stops and throws LedgerUnwritableError. Default 60000.
   */
  ledgerRetryMs?: number;
  /**
   * Give up (throw EndpointOutageError) once the endpoint stayed unreachable (circuit open)
   * this long. Default: 60000 while the endpoint has never answered, no limit once it has.
   */
  maxOutageMs?: number;
  /** An ongoing outage is logged again this often. Default 30000. */
  outageLogEveryMs?: number;
}
