// Ids for stored things (DESIGN §5): a type prefix, so a pasted id says what it names, and
// 12 random characters from [a-z0-9] (36^12 ≈ 4.7e18), which never collide in practice.
import { createHash, randomInt } from 'node:crypto';

export const ID_PREFIXES = ['rnb', 'rbs', 'run', 'rrs'] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const RANDOM_CHARS = 12;

/** `rnb_` runbook, `rbs_` runbook step, `run_` run, `rrs_` run step. */
export function newId(prefix: IdPrefix): string {
  let out = `${prefix}_`;
  // randomInt draws without modulo bias, unlike mapping random bytes onto 36 letters.
  for (let i = 0; i < RANDOM_CHARS; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * An id of newId's shape made from `seed` (an idempotency key): the same seed always gives
 * the same id, so a repeated request collides with the first one's document.
 */
export function derivedId(prefix: IdPrefix, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let out = `${prefix}_`;
  for (let i = 0; i < RANDOM_CHARS; i++) out += ALPHABET[(digest[i] ?? 0) % ALPHABET.length];
  return out;
}

/** True when `value` has the shape newId gives (for any prefix, or the one named). */
export function isId(value: string, prefix?: IdPrefix): boolean {
  const match = /^(rnb|rbs|run|rrs)_[a-z0-9]{12}$/.exec(value);
  return match !== null && (prefix === undefined || match[1] === prefix);
}
