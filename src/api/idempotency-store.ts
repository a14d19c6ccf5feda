// Answers remembered per `Idempotency-Key`, so a client retrying a POST (after a timeout, a
// dropped connection) gets the first answer again instead of a second side effect. Keys are
// scoped by owner (the API key name): one client cannot read or block another's answers.
//
// The store only remembers; the API layer decides: no stored answer → do the work and put
// its answer; a stored answer with the same request fingerprint → replay it; a different
// fingerprint → the client reused a key for another request, which is a conflict.
import { createHash } from 'node:crypto';

import type { Redis } from 'ioredis';
import { z } from 'zod';

import { AppError, ErrorCode } from '../errors.js';

/** 1–255 printable ASCII characters (0x21–0x7E): no spaces, no control characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** What a request answered, as stored. `body` must survive JSON.stringify. */
export const StoredAnswer = z.object({
  fingerprint: z.string().min(1),
  status: z.number().int().min(100).max(599),
  body: z.unknown(),
});
export type StoredAnswer = z.infer<typeof StoredAnswer>;

export interface IdempotencyStoreOptions {
  redis: Redis;
  /** Key prefix shared by every process serving the API (e.g. the BullMQ prefix). */
  prefix: string;
  /** How long an answer is remembered; default 24 h. */
  ttlMs?: number;
}

export interface IdempotencyStore {
  /** The stored answer, or null when there is none (or what is stored is unreadable). */
  get(owner: string, key: string): Promise<StoredAnswer | null>;
  /** Stores the answer unless one is already stored: the first answer stays the answer. */
  put(owner: string, key: string, answer: StoredAnswer): Promise<void>;
  /**
   * Takes the key for a request about to be handled: false while another request with it
   * (on any instance) is being handled. Held at most `HANDLING_MS`, in case its holder dies.
   */
  begin(owner: string, key: string): Promise<boolean>;
  /** Gives the key up (its answer is stored, or there is none to store). */
  end(owner: string, key: string): Promise<void>;
}

/** How long a request may hold its key while it is handled. */
export const HANDLING_MS = 60_000;

const DELETE_IF_UNCHANGED = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** sha256 hex over method, path and raw body; JSON framing keeps ("/a", "b") apart from ("/ab", ""). */
export function requestFingerprint(method: string, path: string, body: string): string {
  return sha256(JSON.stringify([method, path, body]));
}

/**
 * The `Idempotency-Key` header's value, or null when it was not sent. Throws a validation
 * AppError for an empty, oversized or non-printable key, or for the header sent twice
 * (Node joins repeats of an unknown header with ", ", which the pattern also rejects).
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  if (Array.isArray(header)) {
    if (header.length === 0) return null;
    if (header.length > 1) throw invalidKey('send the Idempotency-Key header once');
    return parseIdempotencyKey(header[0]);
  }
  if (!IDEMPOTENCY_KEY_PATTERN.test(header)) {
    const why = header.length === 0 ? 'it is empty' : header.length > 255 ? `it is ${header.length} characters long` : 'it contains a space or a character outside printable ASCII';
    throw invalidKey(`Idempotency-Key must be 1–255 printable ASCII characters without spaces; ${why}`);
  }
  return header;
}

function invalidKey(message: string): AppError {
  return new AppError(ErrorCode.Validation, message, { details: { header: 'Idempotency-Key' } });
}

export function createIdempotencyStore(opts: IdempotencyStoreOptions): IdempotencyStore {
  const { redis, prefix, ttlMs = 24 * 3600_000 } = opts;
  if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new Error(`idempotency store: ttlMs must be a positive integer, got ${ttlMs}`);
  if (prefix === '') throw new Error('idempotency store: prefix must not be empty');

  // The key is hashed: it is client text of any printable shape, and the fixed-width hex
  // also keeps owners apart even if an owner name were to contain ':'.
  const redisKey = (owner: string, key: string) => {
    if (owner === '') throw new Error('idempotency store: owner must not be empty');
    return `${prefix}:idem:${owner}:${sha256(key)}`;
  };

  return {
    async get(owner, key) {
      const raw = await redis.get(redisKey(owner, key));
      if (raw === null) return null;
      const parsed = StoredAnswer.safeParse(parseJson(raw));
      if (parsed.success) return parsed.data;
      // Unreadable data (an older format, a hand edit) is treated as absent. It is removed,
      // or put (which never overwrites) could not store the answer of the request that now
      // runs again; removed only if unchanged, so a good answer written meanwhile stays.
      await redis.eval(DELETE_IF_UNCHANGED, 1, redisKey(owner, key), raw);
      return null;
    },
    async put(owner, key, answer) {
      const json = JSON.stringify(StoredAnswer.parse(answer));
      await redis.set(redisKey(owner, key), json, 'PX', ttlMs, 'NX');
    },
    async begin(owner, key) {
      return (await redis.set(`${redisKey(owner, key)}:handling`, '1', 'PX', HANDLING_MS, 'NX')) === 'OK';
    },
    async end(owner, key) {
      await redis.del(`${redisKey(owner, key)}:handling`);
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
