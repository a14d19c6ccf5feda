// Work over a list with at most `lanes` items in flight: a pass over a thousand runs must not
// put a thousand reads or commands in flight at once, nor do them one after another.

/** `fn` applied to every item, `lanes` at a time; results in the items' order. */
export async function mapInLanes<T, R>(items: readonly T[], lanes: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  return out;
}
