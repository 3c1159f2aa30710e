import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type CrawlSpec, type KeyItem, type KeySource, openKeySource } from '@sluice/core';
import type { CrawlRow, Store } from '@sluice/store';

/**
 * Key files and hosts. A crawl made from `keys.file` must be workable from any host, in any
 * folder, without the file: at creation its distinct keys are copied into the ledger
 * (`crawl_keys`, by position) with the file's SHA-256 (`key_files`), and every producer reads
 * its keys from the ledger. Why the keys and not only the hash: with a shared ledger
 * (PostgreSQL) a worker host then needs nothing but the ledger and Redis, and a hash alone
 * could only tell a host without the file that it cannot work.
 *
 * Memory stays bounded for multi-million-line files: the copy streams the file and writes
 * chunks of `COPY_CHUNK` keys, one transaction each; producers read pages of `READ_PAGE` keys
 * by position (an index range scan), so a producer resuming at key 4,000,000 reads from there
 * instead of re-reading the file from the top and holding every key seen for de-duplication,
 * which the file source must do. Only creation still de-duplicates the file in memory (as
 * counting it always did). Disk: about the keys' size again, once per crawl.
 *
 * Crawls created before keys were copied (no `key_files` row) keep reading their file, and the
 * next `crawl create`/`run` with the file present copies it.
 */

/** Keys written per transaction while copying a key file. */
const COPY_CHUNK = 5_000;
/** Keys read per query by a producer. */
const READ_PAGE = 2_000;

/** The key file's absolute path on this host. */
export function keyFilePath(spec: CrawlSpec, specDir: string): string | null {
  if (!('file' in spec.keys)) return null;
  return isAbsolute(spec.keys.file) ? spec.keys.file : resolve(specDir, spec.keys.file);
}

/** SHA-256 of a file's bytes, hex, streamed. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Copies the crawl's distinct keys from its file into the ledger and records the file's hash.
 * Idempotent: an interrupted copy runs again from the start without doubles.
 * @throws ConfigError when the file changed while it was read.
 */
export async function copyKeyFile(store: Store, crawlId: number, spec: CrawlSpec, specDir: string): Promise<void> {
  const path = keyFilePath(spec, specDir);
  if (path === null) return;
  const before = await fileSha256(path);
  const source = await openKeySource(spec.keys, specDir);
  let chunk: KeyItem[] = [];
  let count = 0;
  for await (const item of source.iterate(0)) {
    chunk.push(item);
    count++;
    if (chunk.length >= COPY_CHUNK) {
      await store.keyFiles.appendKeys(crawlId, chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) await store.keyFiles.appendKeys(crawlId, chunk);
  if ((await fileSha256(path)) !== before) throw new ConfigError(`keys.file: ${path} changed while its keys were copied; run again`);
  await store.keyFiles.recordKeyFile(crawlId, before, count);
}

/**
 * An existing crawl is named again with a key file: the file here must be the one it was made
 * from (same hash), or absent (the ledger's copy is used).
 * @throws ConfigError naming both hashes when the file here differs.
 */
export async function checkKeyFile(
  store: Store,
  row: CrawlRow,
  spec: CrawlSpec,
  specDir: string,
): Promise<'same' | 'absent' | 'not-copied'> {
  const path = keyFilePath(spec, specDir);
  if (path === null) return 'same';
  const record = await store.keyFiles.keyFile(row.id);
  if (!record) return 'not-copied';
  if (!existsSync(path)) return 'absent';
  const here = await fileSha256(path);
  if (here !== record.sha256) {
    throw new ConfigError(
      `crawl "${row.name}" was created from a key file with SHA-256 ${record.sha256}; ${path} here has ${here}. Its keys are in the ledger: leave the file out, or pick another crawl name for new keys`,
    );
  }
  return 'same';
}

/** The ledger's copy of a crawl's keys, read a page at a time. */
function ledgerKeySource(store: Store, crawlId: number, total: number): KeySource {
  return {
    count: async () => total,
    async *iterate(fromPosition = 0) {
      let next = fromPosition;
      for (;;) {
        const page = await store.keyFiles.readKeys(crawlId, next, READ_PAGE);
        if (page.length === 0) return;
        yield* page;
        next = (page[page.length - 1]?.position ?? next) + 1;
      }
    },
  };
}

/**
 * The key source a producer walks: the ledger's copy for a key-file crawl whose keys were
 * copied, else the spec's own source (ranges, lists, and key files of older crawls).
 * @throws ConfigError when an older crawl's key file is missing on this host.
 */
export async function keySourceFor(store: Store, row: CrawlRow, spec: CrawlSpec): Promise<KeySource> {
  const record = 'file' in spec.keys ? await store.keyFiles.keyFile(row.id) : undefined;
  if (record) return ledgerKeySource(store, row.id, record.keys);
  return openKeySource(spec.keys, row.specDir);
}
