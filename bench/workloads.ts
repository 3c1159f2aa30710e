/** The benchmark workloads: colour crawls against the mock API on loopback. */
export interface Workload {
  name: string;
  keys: number;
  latencyMs: number;
  concurrency: number;
  /** Run the in-memory ceiling on at most this many keys (the full crawl uses a sample). */
  ceilingKeys?: number;
  /** Also run Sluice with a PostgreSQL ledger (local server, a fresh database per round). */
  postgres?: boolean;
}

export const WORKLOADS: Record<string, Workload> = {
  W1: { name: 'W1', keys: 200_000, latencyMs: 0, concurrency: 100, postgres: true },
  W2: { name: 'W2', keys: 40_000, latencyMs: 50, concurrency: 200, postgres: true },
  W4: { name: 'W4', keys: 1_000_000, latencyMs: 0, concurrency: 100 },
  FULL: { name: 'FULL', keys: 16_777_216, latencyMs: 0, concurrency: 100, ceilingKeys: 1_000_000 },
};
