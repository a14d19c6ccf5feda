import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

import { createRateLimiter } from '../../src/api/rate-limiter.js';
import { createRedis } from '../../src/jobs/redis.js';
import { useTestRedis } from '../support/redis.js';

const redis = useTestRedis();

// A window boundary well away from today's clock, so injected times never meet real ones.
const WINDOW_MS = 60_000;
const WINDOW_START = 30_000_000 * WINDOW_MS;

const extraConnections: Redis[] = [];
afterAll(async () => {
  await Promise.all(extraConnections.map((c) => c.quit()));
});
function secondConnection(): Redis {
  const conn = createRedis(redis.url);
  extraConnections.push(conn);
  return conn;
}

describe('createRateLimiter', () => {
  it('allows up to the limit, then refuses with the seconds left in the window', async () => {
    let t = WINDOW_START + 10_500;
    const limiter = createRateLimiter({ redis: redis.redis(), prefix: redis.prefix(), limit: 3, windowMs: WINDOW_MS, now: () => t });

    const allowed = [await limiter.hit('alice'), await limiter.hit('alice'), await limiter.hit('alice')];
    expect(allowed.map((d) => [d.allowed, d.remaining, d.retryAfterSeconds])).toEqual([
      [true, 2, 0],
      [true, 1, 0],
      [true, 0, 0],
    ]);

    const refused = await limiter.hit('alice');
    expect(refused).toEqual({ allowed: false, limit: 3, remaining: 0, retryAfterSeconds: 50, resetAt: WINDOW_START + WINDOW_MS });

    t = WINDOW_START + WINDOW_MS - 1;
    expect((await limiter.hit('alice')).retryAfterSeconds).toBe(1);
  });

  it('allows again once the next window starts', async () => {
    let t = WINDOW_START + 1_000;
    const limiter = createRateLimiter({ redis: redis.redis(), prefix: redis.prefix(), limit: 1, windowMs: WINDOW_MS, now: () => t });
    expect((await limiter.hit('bob')).allowed).toBe(true);
    expect((await limiter.hit('bob')).allowed).toBe(false);

    t = WINDOW_START + WINDOW_MS;
    const next = await limiter.hit('bob');
    expect(next).toMatchObject({ allowed: true, remaining: 0, resetAt: WINDOW_START + 2 * WINDOW_MS });
  });

  it('counts each subject separately', async () => {
    const limiter = createRateLimiter({ redis: redis.redis(), prefix: redis.prefix(), limit: 1, windowMs: WINDOW_MS, now: () => WINDOW_START });
    expect((await limiter.hit('carol')).allowed).toBe(true);
    expect((await limiter.hit('dave')).allowed).toBe(true);
    expect((await limiter.hit('carol')).allowed).toBe(false);
  });

  it('shares one budget between two limiters on two Redis connections', async () => {
    const opts = { prefix: redis.prefix(), limit: 4, windowMs: WINDOW_MS, now: () => WINDOW_START + 5 };
    const a = createRateLimiter({ ...opts, redis: redis.redis() });
    const b = createRateLimiter({ ...opts, redis: secondConnection() });

    expect((await a.hit('shared')).remaining).toBe(3);
    expect((await b.hit('shared')).remaining).toBe(2);
    expect((await a.hit('shared')).remaining).toBe(1);
    expect((await b.hit('shared')).remaining).toBe(0);
    expect((await a.hit('shared')).allowed).toBe(false);
    expect((await b.hit('shared')).allowed).toBe(false);
  });

  it('allows exactly the limit out of 50 concurrent hits', async () => {
    const opts = { prefix: redis.prefix(), limit: 20, windowMs: WINDOW_MS, now: () => WINDOW_START + 7 };
    const limiters = [createRateLimiter({ ...opts, redis: redis.redis() }), createRateLimiter({ ...opts, redis: secondConnection() })];

    const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => limiters[i % 2]!.hit('burst')));

    expect(decisions.filter((d) => d.allowed)).toHaveLength(20);
    expect(decisions.filter((d) => d.allowed).map((d) => d.remaining).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('gives the window key a TTL so counters do not pile up', async () => {
    const limiter = createRateLimiter({ redis: redis.redis(), prefix: redis.prefix(), limit: 5, windowMs: WINDOW_MS, now: () => WINDOW_START });
    await limiter.hit('ttl');
    const ttl = await redis.redis().pttl(`${redis.prefix()}:ratelimit:ttl:${WINDOW_START / WINDOW_MS}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(WINDOW_MS);
  });

  it.each(['Alice', 'a:b', 'a b', '', 'ключ', 'a*'])('rejects the subject %j as a programming error', async (subject) => {
    const limiter = createRateLimiter({ redis: redis.redis(), prefix: redis.prefix(), limit: 1 });
    await expect(limiter.hit(subject)).rejects.toThrow(/subject must match/);
  });

  it('rejects a limit or window that is not a positive integer', () => {
    expect(() => createRateLimiter({ redis: redis.redis(), prefix: redis.prefix(), limit: 0 })).toThrow(/limit/);
    expect(() => createRateLimiter({ redis: redis.redis(), prefix: redis.prefix(), limit: 1, windowMs: 0.5 })).toThrow(/windowMs/);
  });
});
