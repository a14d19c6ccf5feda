// Scrape-time reads hit MongoDB and Redis: several Prometheus servers scraping at once, or a
// scrape every second, share one read for `ttlMs` instead of each making its own.

/** `read`, answered from the last result for `ttlMs` after it came; a read under way is shared; failures are not kept. */
export function cachedRead<T>(read: () => Promise<T>, ttlMs: number, now: () => number = Date.now): () => Promise<T> {
  let kept: { value: T; at: number } | null = null;
  let pending: Promise<T> | null = null;
  return () => {
    if (kept && now() - kept.at < ttlMs) return Promise.resolve(kept.value);
    pending ??= read()
      .then((value) => {
        kept = { value, at: now() };
        return value;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  };
}
