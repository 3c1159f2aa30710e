import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerEntry } from '@sluice/core';
import { openStore } from './src/openStore';

const body = JSON.stringify({
  hex: { value: '#00FF0A', clean: '00FF0A' },
  rgb: { r: 0, g: 255, b: 10, value: 'rgb(0, 255, 10)' },
  name: { value: 'Harlequin', closest_named_hex: '#3FFF00', exact_match_name: false, distance: 1234 },
  image: { bare: 'https://www.thecolorapi.com/id?format=svg&named=false&hex=00FF0A' },
});
async function main() {
  const N = 40_000;
  for (const size of [1000, 250, 60, 1000, 250, 60, 1000, 250, 60, 1000, 250, 60]) {
    const dir = mkdtempSync(join(tmpdir(), 'sqlb-'));
    const store = await openStore(join(dir, 'l.db'));
    const id = await store.crawls.insert({ name: 'b', spec: '{}', specDir: dir, total: N });
    const s = process.cpuUsage();
    for (let from = 0; from < N; from += size) {
      const entries: LedgerEntry[] = [];
      for (let p = from; p < Math.min(N, from + size); p++)
        entries.push({
          kind: 'result',
          record: {
            crawlId: id,
            key: p.toString(16).toUpperCase().padStart(6, '0'),
            position: p,
            status: 200,
            body,
            attempts: 1,
            fetchedAt: Date.now(),
            durationMs: 1,
          },
        });
      await store.writeEntries(entries);
    }
    const c = process.cpuUsage(s);
    console.log(
      'batch',
      size,
      ((c.user + c.system) / N).toFixed(2),
      'µs/row (user',
      (c.user / N).toFixed(2),
      'sys',
      (c.system / N).toFixed(2),
      ')',
    );
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
main();
