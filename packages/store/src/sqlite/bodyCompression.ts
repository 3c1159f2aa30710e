import type { LedgerEntry } from '@sluice/core';
import { BODY_CODEC, type BodyCodec, buildDictionary, createBodyCodec, SAMPLE_BODIES } from '../bodyCodec';
import type { Db } from './client';

/** How a result's body is stored: plain text in `body`, or compressed in `bodyZ` (then `body` is empty). */
export interface StoredBody {
  body: string;
  bodyZ: Buffer | null;
}

/**
 * Compressed bodies in the ledger (`storage.compress`): the writer encodes, the readers decode,
 * so nothing outside the store ever sees compressed bytes.
 *
 * A crawl that compresses has a `body_dictionaries` row from its creation. Its first
 * `SAMPLE_BODIES` bodies are stored plain; once that many results exist, the first writer to
 * notice builds the dictionary from them and stores it (under the write lock, so concurrent
 * writers in other processes agree on one dictionary); from then on bodies are compressed. A
 * dictionary never changes, so each process caches it.
 */
export function createBodyCompression(db: Db) {
  const sqlite = db.$client;
  const dictionaryRow = sqlite.prepare('SELECT codec, dictionary FROM body_dictionaries WHERE crawl_id = ?');
  const doneCount = sqlite.prepare('SELECT done FROM crawl_progress WHERE crawl_id = ?').pluck();
  const samples = sqlite.prepare('SELECT body FROM results WHERE crawl_id = ? AND body_z IS NULL ORDER BY position LIMIT ?').pluck();
  const storeDictionary = sqlite.prepare(
    'UPDATE body_dictionaries SET dictionary = ?, built_at = ? WHERE crawl_id = ? AND dictionary IS NULL',
  );

  /** Codecs of crawls whose dictionary is built (it never changes). Crawls without one are not cached: it may appear later. */
  const codecs = new Map<number, BodyCodec>();

  const build = sqlite.transaction((crawlId: number): Buffer | null => {
    const row = dictionaryRow.get(crawlId) as { dictionary: Buffer | null } | undefined;
    if (!row) return null;
    if (row.dictionary) return row.dictionary;
    if (((doneCount.get(crawlId) as number | undefined) ?? 0) < SAMPLE_BODIES) return null;
    const dictionary = buildDictionary(samples.all(crawlId, SAMPLE_BODIES) as string[]);
    storeDictionary.run(dictionary, Date.now(), crawlId);
    return dictionary;
  });

  function codecOf(crawlId: number, dictionary: Buffer): BodyCodec {
    let codec = codecs.get(crawlId);
    if (!codec) {
      codec = createBodyCodec(dictionary);
      codecs.set(crawlId, codec);
    }
    return codec;
  }

  /** The crawl's codec, or null (no compression, or still sampling). Reads only. */
  function storedCodec(crawlId: number): { compressing: boolean; codec: BodyCodec | null } {
    const cached = codecs.get(crawlId);
    if (cached) return { compressing: true, codec: cached };
    const row = dictionaryRow.get(crawlId) as { codec: string; dictionary: Buffer | null } | undefined;
    if (!row) return { compressing: false, codec: null };
    if (row.codec !== BODY_CODEC) throw new Error(`crawl ${crawlId}: bodies stored with unknown codec ${row.codec}`);
    return { compressing: true, codec: row.dictionary ? codecOf(crawlId, row.dictionary) : null };
  }

  /**
   * An encoder for a batch of one crawl's bodies. Call outside a write transaction: it may
   * build the dictionary in one of its own.
   */
  function encoderFor(crawlId: number): ((body: string) => StoredBody) | null {
    const stored = storedCodec(crawlId);
    let codec = stored.codec;
    if (!codec && stored.compressing) {
      const dictionary = build.immediate(crawlId);
      if (dictionary) codec = codecOf(crawlId, dictionary);
    }
    if (!codec) return null;
    const { compress } = codec;
    return (body) => {
      const bodyZ = compress(body);
      return bodyZ ? { body: '', bodyZ } : { body, bodyZ: null };
    };
  }

  return {
    /**
     * How each entry's body is to be stored, by index: null for failures and for bodies stored
     * plain as they are (no object per row for a crawl that does not compress). Call outside a
     * write transaction, so compressing never holds the write lock.
     */
    encodeEntries(entries: readonly LedgerEntry[]): (StoredBody | null)[] {
      const encoders = new Map<number, ((body: string) => StoredBody) | null>();
      return entries.map((entry) => {
        if (entry.kind !== 'result') return null;
        let encode = encoders.get(entry.record.crawlId);
        if (encode === undefined) {
          encode = encoderFor(entry.record.crawlId);
          encoders.set(entry.record.crawlId, encode);
        }
        return encode === null ? null : encode(entry.record.body);
      });
    },

    /** The body as received, from a row as stored. Reads only, so it may run while a query iterates. */
    decode(crawlId: number, stored: StoredBody): string {
      if (stored.bodyZ === null) return stored.body;
      const { codec } = storedCodec(crawlId);
      if (!codec) throw new Error(`crawl ${crawlId}: a compressed body but no dictionary`);
      return codec.decompress(stored.bodyZ);
    },
  };
}

export type BodyCompression = ReturnType<typeof createBodyCompression>;
