// A per-API-key request budget kept in Redis, so every bot instance on that Redis draws
// from one budget rather than one each.
//
// Fixed windows: each subject has one counter per window (`now / windowMs`), incremented
// with INCR and given a TTL in the same MULTI. It is one round trip and one small key per
// subject, at the price of a known burst: a client can spend `limit` at the very end of one
// window and `limit` again at the very start of the next, so up to 2×limit requests may
// land within a short span around a boundary. A sliding log or token bucket would close
// that gap with more state per request; for a budget meant to stop runaway scripts, the
// burst is acceptable. Windows are cut by each process's own clock, so clocks that disagree
// by a few ms move the boundary by that much and nothing more.
import type { Redis } from 'ioredis';

import { KEY_NAME_PATTERN } from '../models/api-key-names.js';

/** API key names: the only subjects the limiter accepts (anything else is a caller's bug). */
export const RATE_LIMIT_SUBJECT_PATTERN = KEY_NAME_PATTERN;

export interface RateLimiterOptions {
  redis: Redis;
  /** Key prefix shared by every process that must share the budget (e.g. the BullMQ prefix). */
  prefix: string;
  /** Requests allowed per subject per window; a positive integer. */
  limit: number;
  /** Window length in ms; default 60 000. */
  windowMs?: number;
  /** Clock in epoch ms; injectable for tests. Default `Date.now`. */
  now?: () => number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in this window after this one (0 once refused). */
  remaining: number;
  /** Whole seconds until the window ends, at least 1, when refused; 0 when allowed. */
  retryAfterSeconds: number;
  /** Epoch ms at which the current window ends and the budget refills. */
  resetAt: number;
}

export interface RateLimiter {
  hit(subject: string): Promise<RateLimitDecision>;
}

export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  const { redis, prefix, limit, windowMs = 60_000, now = Date.now } = opts;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`rate limiter: limit must be a positive integer, got ${limit}`);
  if (!Number.isInteger(windowMs) || windowMs < 1) throw new Error(`rate limiter: windowMs must be a positive integer, got ${windowMs}`);
  if (prefix === '') throw new Error('rate limiter: prefix must not be empty');

  return {
    async hit(subject: string): Promise<RateLimitDecision> {
      if (!RATE_LIMIT_SUBJECT_PATTERN.test(subject)) {
        throw new Error(`rate limiter: subject must match ${RATE_LIMIT_SUBJECT_PATTERN}, got ${JSON.stringify(subject)}`);
      }
      const at = now();
      const windowIndex = Math.floor(at / windowMs);
      const resetAt = (windowIndex + 1) * windowMs;
      const count = await increment(redis, `${prefix}:ratelimit:${subject}:${windowIndex}`, windowMs);
      const allowed = count <= limit;
      return {
        allowed,
        limit,
        remaining: Math.max(0, limit - count),
        retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((resetAt - at) / 1000)),
        resetAt,
      };
    },
  };
}

// INCR and PEXPIRE in one script, so no counter is left without a TTL, in one command (on a
// busy API a MULTI's four cost measurably more). A TTL of a whole window from now always
// outlives the window's end (which is at most that far away), and each window has its own
// key, so extending it on every hit changes nothing that is counted.
const INCREMENT = "local n = redis.call('INCR', KEYS[1]) redis.call('PEXPIRE', KEYS[1], ARGV[1]) return n";

async function increment(redis: Redis, key: string, ttlMs: number): Promise<number> {
  const count: unknown = await redis.eval(INCREMENT, 1, key, String(ttlMs));
  if (typeof count !== 'number') throw new Error(`rate limiter: INCR on ${key} answered ${String(count)}`);
  return count;
}
