// Numbered series of claim documents (an alert's card attempts, a thread reply's attempts),
// read by _id: the reads FerretDB serves from an index.

/**
 * The documents of a numbered series (card attempts, runs of an episode) from 1 until the first
 * missing one, read by _id a few at a time. A series has no gaps: number n+1 is only ever
 * claimed by someone who read number n.
 */
export async function readSeries<T>(find: (id: string) => Promise<T | null>, idOf: (n: number) => string, batch = 2): Promise<T[]> {
  const found: T[] = [];
  for (let first = 1; ; first += batch) {
    const docs = await Promise.all(Array.from({ length: batch }, (_, i) => find(idOf(first + i))));
    for (const doc of docs) {
      if (doc === null) return found;
      found.push(doc);
    }
  }
}
