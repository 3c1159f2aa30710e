/** Flags of `pnpm chaos`, with their defaults and `--help` text. */
import { parseArgs } from 'node:util';

export interface ChaosOptions {
  /** Keys in the colour crawl. Default 100,000. */
  keys: number;
  /** Worker processes alive at any time. Default 3. */
  workers: number;
  /** Requests in flight per worker (`limits.concurrency`). Default 20. */
  concurrency: number;
  /** Worker SIGKILLs (each followed by a new worker process). Default 20. */
  workerKills: number;
  /** Producer SIGKILLs (each followed by a new `sluice enqueue`). Default 5. */
  producerKills: number;
  /** SIGKILLs of our own redis-server, each followed by a restart on the same port and AOF. Default 3. */
  redisRestarts: number;
  /** FLUSHALLs, each followed by `sluice resume`. Default 1. */
  flushes: number;
  /** Seed of the PRNG that orders the events and picks the victims. Default 1. */
  seed: number;
  /** Mock API latency per request, ms. Default 3. */
  latencyMs: number;
  /** How long a killed redis-server stays down before its restart, ms. Default 1000. */
  redisDownMs: number;
  /** Give up (print the figures, exit 1) after this many seconds. Default 1200. */
  deadlineS: number;
  /** Also print the figures as one JSON line at the end. Default false. */
  json: boolean;
  /** Keep the temp dir (database, Redis AOF, process logs) even when every target holds. Default false. */
  keep: boolean;
}

export const DEFAULT_CHAOS_OPTIONS: Readonly<ChaosOptions> = Object.freeze({
  keys: 100_000,
  workers: 3,
  concurrency: 20,
  workerKills: 20,
  producerKills: 5,
  redisRestarts: 3,
  flushes: 1,
  seed: 1,
  latencyMs: 3,
  redisDownMs: 1_000,
  deadlineS: 1_200,
  json: false,
  keep: false,
});

export const CHAOS_HELP = `usage: pnpm chaos [options]

Runs a colour crawl with several \`sluice work\` processes and one \`sluice enqueue\` against the
in-process mock API and a redis-server of its own (AOF on), while killing workers, the
producer and Redis, and flushing Redis once; then checks the ledger is exact.

  --keys N            keys in the crawl                               (default 100000)
  --workers N         worker processes                                (default 3)
  --concurrency N     requests in flight per worker                   (default 20)
  --worker-kills N    SIGKILL a random worker N times, restart it     (default 20)
  --producer-kills N  SIGKILL the producer N times, restart it        (default 5)
  --redis-restarts N  SIGKILL redis-server N times, restart it        (default 3)
  --flushes N         FLUSHALL + \`sluice resume\` N times              (default 1)
  --seed N            PRNG seed: event order and victims              (default 1)
  --latency-ms N      mock API latency per request                    (default 3)
  --redis-down-ms N   how long Redis stays down per restart           (default 1000)
  --deadline-s N      give up after N seconds, print figures, exit 1  (default 1200)
  --json              also print the figures as one JSON line at the end
  --keep              keep the temp dir (db, AOF, process logs) even on success
  --help              this text

Exit code 0 only if every target holds: exactly N unique keys in the ledger, 0 lost, 0
duplicate rows, 0 failed keys, integrity_check ok, every body valid, longest recovery after a
worker kill <= 15 s, duplicate fetches within the allowance, every planned event fired, no
process died by itself, done before the deadline. Events wait for their point of progress and
for their target to be up, so a short crawl on a busy machine may end before all of them
fired: give it more keys or fewer events.
`;

/** The numeric flags, by name without the leading `--`. */
const NUMERIC: Record<string, keyof ChaosOptions> = {
  keys: 'keys',
  workers: 'workers',
  concurrency: 'concurrency',
  'worker-kills': 'workerKills',
  'producer-kills': 'producerKills',
  'redis-restarts': 'redisRestarts',
  flushes: 'flushes',
  seed: 'seed',
  'latency-ms': 'latencyMs',
  'redis-down-ms': 'redisDownMs',
  'deadline-s': 'deadlineS',
};

/** At least this many; `keys` and `workers` must be positive. */
const MINIMUM: Partial<Record<keyof ChaosOptions, number>> = { keys: 1, workers: 1, concurrency: 1, deadlineS: 1 };

/** A bad flag: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses argv (without node and script); `help` when `--help` was asked. Reports every problem at once. */
export function parseChaosArgs(argv: readonly string[]): { options: ChaosOptions; help: boolean } {
  // Not strict, so that every unknown flag and bad value is reported together below.
  const { tokens } = parseArgs({
    args: [...argv],
    options: {
      ...Object.fromEntries(Object.keys(NUMERIC).map((flag) => [flag, { type: 'string' as const }])),
      json: { type: 'boolean' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const options: ChaosOptions = { ...DEFAULT_CHAOS_OPTIONS };
  const problems: string[] = [];
  let help = false;
  for (const token of tokens) {
    if (token.kind === 'positional') problems.push(`${token.value}: unknown option`);
    if (token.kind !== 'option') continue;
    const name = NUMERIC[token.name];
    if (token.name === 'help') help = true;
    else if (token.name === 'json') options.json = true;
    else if (token.name === 'keep') options.keep = true;
    else if (name === undefined) problems.push(`${token.rawName}: unknown option`);
    else {
      const value = Number(token.value);
      if (token.value === undefined || !Number.isSafeInteger(value) || value < (MINIMUM[name] ?? 0)) {
        problems.push(`${token.rawName}: expected a whole number >= ${MINIMUM[name] ?? 0}, got ${token.value ?? 'nothing'}`);
      } else (options as unknown as Record<string, number>)[name] = value;
    }
  }
  if (problems.length > 0) throw new UsageError(`${problems.join('; ')} (see --help)`);
  return { options, help };
}
