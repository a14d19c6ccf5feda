/**
 * Runs async work one at a time per key, in arrival order. The run service uses it so the
 * commands for one run inside one process never race each other: FerretDB v1 (the test and
 * first-run server) does not apply a filtered update atomically (FerretDB#3040), so there
 * the conditional write alone would let two writers of the same rev both win. Across
 * processes the conditional write on `rev` remains the guard, which MongoDB makes atomic.
 */
export function createKeyedMutex() {
  const tails = new Map<string, Promise<unknown>>();

  return {
    run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(work, work);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    /** Keys with work queued or under way (for tests and metrics). */
    size(): number {
      return tails.size;
    },
  };
}
