// Bounds the size of a tool's output before it travels back and is stored on the run: the
// JSON text of the result never exceeds maxChars. Space is shared out like water filling
// levels: small parts (the numbers and short strings verify conditions read) keep their
// size and the largest parts are cut, deepest first, with a marker saying how much went.
import type { JsonObject, JsonValue } from '../engine/types.js';

// Array items this small are kept whole or dropped, never cut: a half item helps nobody.
const WHOLE_ITEM_CHARS = 200;
// Strings this short (as JSON) are kept whole or dropped: a marker would be longer.
const WHOLE_STRING_CHARS = 32;
const FLAG = '"_truncated":true';

const sizeOf = (v: JsonValue): number => JSON.stringify(v).length;
const sum = (list: readonly number[]) => list.reduce((a, b) => a + b, 0);
const max = (list: readonly number[]) => list.reduce((a, b) => Math.max(a, b), 0);

function minSize(v: JsonValue, size: number): number {
  if (v === null || typeof v !== 'object') return typeof v === 'string' && size > WHOLE_STRING_CHARS ? 2 : size;
  return 2;
}

/** Largest level c with Σ clamp(c, min, size) ≤ room, or -1 when even the minimums do not fit. */
function waterLevel(sizes: readonly number[], mins: readonly number[], room: number): number {
  const used = (c: number) => sizes.reduce((total, s, i) => total + Math.min(s, Math.max(c, mins[i] ?? 0)), 0);
  if (used(0) > room) return -1;
  let lo = 0;
  let hi = max(sizes);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (used(mid) <= room) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const cutMarker = (n: number) => `…[cut ${n} chars]`;
const moreMarker = (n: number) => `…[${n} more items]`;

function fitString(s: string, budget: number): string {
  if (sizeOf(s) <= budget) return s;
  const fits = (k: number) => sizeOf(s.slice(0, k) + cutMarker(s.length - k)) <= budget;
  if (!fits(0)) return '';
  let lo = 0;
  let hi = Math.min(s.length - 1, budget);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  const code = s.charCodeAt(lo - 1);
  const k = code >= 0xd800 && code <= 0xdbff ? lo - 1 : lo; // never split a surrogate pair
  return s.slice(0, k) + cutMarker(s.length - k);
}

function fitArray(items: readonly JsonValue[], budget: number): JsonValue[] {
  const sizes = items.map(sizeOf);
  const mins = items.map((v, i) => minSize(v, sizes[i] ?? 0));
  const plan = (k: number) => {
    const marker = k < items.length ? sizeOf(moreMarker(items.length - k)) + (k > 0 ? 1 : 0) : 0;
    const room = budget - 2 - Math.max(0, k - 1) - marker;
    return { k, level: waterLevel(sizes.slice(0, k), mins.slice(0, k), room) };
  };
  // Keep as many leading items as can stay whole (up to WHOLE_ITEM_CHARS each).
  const good = (k: number) => {
    const { level } = plan(k);
    return level >= 0 && level >= Math.min(WHOLE_ITEM_CHARS, max(sizes.slice(0, k)));
  };
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (good(mid)) lo = mid;
    else hi = mid - 1;
  }
  let chosen = plan(lo);
  if (lo === 0 && items.length > 0 && plan(1).level >= 0) chosen = plan(1);
  const kept = items
    .slice(0, chosen.k)
    .map((v, i) => fitValue(v, Math.min(sizes[i] ?? 0, Math.max(chosen.level, mins[i] ?? 0))));
  if (chosen.k === items.length) return kept;
  const out = [...kept, moreMarker(items.length - chosen.k)];
  return sizeOf(out) <= budget ? out : kept;
}

function fitObject(obj: JsonObject, budget: number): JsonObject {
  const entries = Object.entries(obj).filter(([, v]) => v !== undefined);
  const sizes = entries.map(([, v]) => sizeOf(v));
  const mins = entries.map(([, v], i) => minSize(v, sizes[i] ?? 0));
  const keyChars = entries.map(([k]) => sizeOf(k) + 1);
  const room = (count: number, keys: number) => budget - 2 - Math.max(0, count - 1) - keys;
  // Too many fields even at their smallest: drop the biggest cuttable ones, scalars last.
  const dropOrder = entries.map((_, i) => i).sort((a, b) => rank(entries[b]?.[1]) - rank(entries[a]?.[1]) || (sizes[b] ?? 0) - (sizes[a] ?? 0));
  const dropped = new Set<number>();
  let minTotal = sum(mins);
  let keyTotal = sum(keyChars);
  for (const i of dropOrder) {
    if (minTotal <= room(entries.length - dropped.size, keyTotal)) break;
    dropped.add(i);
    minTotal -= mins[i] ?? 0;
    keyTotal -= keyChars[i] ?? 0;
  }
  const keep = entries.map((_, i) => i).filter((i) => !dropped.has(i));
  const pick = (list: readonly number[]) => keep.map((i) => list[i] ?? 0);
  const level = waterLevel(pick(sizes), pick(mins), room(keep.length, keyTotal));
  // fromEntries, not assignment: a "__proto__" key stays a plain field.
  return Object.fromEntries(
    keep.map((i) => {
      const [key, value] = entries[i] as [string, JsonValue];
      return [key, fitValue(value, Math.min(sizes[i] ?? 0, Math.max(level, mins[i] ?? 0)))];
    }),
  );
}

function rank(v: JsonValue | undefined): number {
  return v !== null && typeof v === 'object' ? 2 : typeof v === 'string' ? 1 : 0;
}

function fitValue(v: JsonValue, budget: number): JsonValue {
  if (sizeOf(v) <= budget) return v;
  if (typeof v === 'string') return fitString(v, budget);
  if (Array.isArray(v)) return fitArray(v, budget);
  if (v !== null && typeof v === 'object') return fitObject(v, budget);
  return v;
}

/** `value` itself when it fits; else a cut copy with `_truncated: true` (maxChars ≥ 2). */
export function limitOutput(value: JsonObject, maxChars: number): JsonObject {
  if (!(maxChars >= 2)) throw new RangeError(`maxChars must be at least 2 (got ${maxChars})`);
  if (sizeOf(value) <= maxChars) return value;
  if (maxChars < FLAG.length + 2) return {};
  const { _truncated: _, ...rest } = value;
  // Room for `,"_truncated":true`; a cut that still overshoots (it should not) retries smaller.
  for (let budget = maxChars - FLAG.length - 1; budget >= 2; budget = Math.floor(budget / 2)) {
    const out: JsonObject = { ...fitObject(rest, budget), _truncated: true };
    if (sizeOf(out) <= maxChars) return out;
  }
  return { _truncated: true };
}
