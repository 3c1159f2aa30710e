import { writeFileSync } from 'node:fs';
/** The benchmark workloads: colour crawls against the mock API on loopback. `Z`: compressed storage; `F`: full-size bodies. */
export interface Workload {
  name: string;
  keys: number;
  latencyMs: number;
  concurrency: number;
  /** Run the in-memory ceiling on at most this many keys (the full crawl uses a sample). */
  ceilingKeys?: number;
  /**
   * Colour bodies as the mock API trims them (~360 bytes, default) or in the real API's full
   * shape (~950 bytes, the mock's `&shape=full`).
   */
  bodies?: 'trimmed' | 'full';
  /** The crawl stores its bodies compressed (`storage.compress`). Default false. */
  compress?: boolean;
  /** Also run Sluice with a PostgreSQL ledger (local server, a fresh database per round). */
  postgres?: boolean;
}

export const WORKLOADS: Record<string, Workload> = {
  W1: { name: 'W1', keys: 200_000, latencyMs: 0, concurrency: 100, postgres: true },
  W1Z: { name: 'W1Z', keys: 200_000, latencyMs: 0, concurrency: 100, compress: true },
  W1F: { name: 'W1F', keys: 200_000, latencyMs: 0, concurrency: 100, bodies: 'full' },
  W1FZ: { name: 'W1FZ', keys: 200_000, latencyMs: 0, concurrency: 100, bodies: 'full', compress: true },
  W2: { name: 'W2', keys: 40_000, latencyMs: 50, concurrency: 200, postgres: true },
  W4: { name: 'W4', keys: 1_000_000, latencyMs: 0, concurrency: 100 },
  FULL: { name: 'FULL', keys: 16_777_216, latencyMs: 0, concurrency: 100, ceilingKeys: 1_000_000 },
};

/** The mock API's query suffix for a workload's body shape. */
export function shapeQuery(w: Workload): string {
  return w.bodies === 'full' ? '&shape=full' : '';
}

/** The crawl name of a workload's spec. */
export function crawlName(w: Workload): string {
  return `bench-${w.name.toLowerCase()}`;
}

/**
 * Writes the workload's crawl spec to `path`: its keys as hex colours against the mock API at
 * `apiUrl`. `limits.concurrency` is crawl-wide: with several processes, the limiter's
 * concurrency leases share it among them.
 */
export function writeBenchSpec(w: Workload, apiUrl: string, path: string): void {
  writeFileSync(
    path,
    JSON.stringify({
      name: crawlName(w),
      keys: { range: { from: 0, to: w.keys - 1, format: 'hex6' } },
      request: { url: `${apiUrl}/id?hex={key}${shapeQuery(w)}` },
      limits: { concurrency: w.concurrency },
      validate: { keyField: 'hex.clean' },
      storage: { compress: w.compress ?? false },
    }),
  );
}
