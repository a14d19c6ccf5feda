// A small bounded cache for the process's shortcuts (state last written, compiled versions,
// message locations): what falls out is only read again.

/** A Map kept in use order: the least recently used entry goes first when it is full. */
export function createLru<V>(max: number) {
  const entries = new Map<string, V>();
  return {
    get(key: string): V | undefined {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    delete(key: string): void {
      entries.delete(key);
    },
    set(key: string, value: V): void {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
    get size(): number {
      return entries.size;
    },
  };
}
