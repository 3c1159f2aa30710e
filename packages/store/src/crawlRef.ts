/** Parses a crawl reference: a number, or digits, is an id; anything else a name. */
export function crawlIdOf(idOrName: string | number): number | null {
  if (typeof idOrName === 'number') return idOrName;
  return /^\d+$/.test(idOrName) ? Number(idOrName) : null;
}
