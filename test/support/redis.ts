// A BullMQ prefix per test file, and its keys deleted afterwards, so files share one
// Redis without seeing each other's queues.
import { randomBytes } from 'node:crypto';

import type { Redis } from 'ioredis';
import { afterAll, inject } from 'vitest';

import { createRedis } from '../../src/jobs/redis.js';

/** `t-` + hex: no `:` (BullMQ's separator) and no glob characters (SCAN MATCH). */
export function createTestPrefix(): string {
  return `t-${randomBytes(6).toString('hex')}`;
}

/** Deletes every key under `prefix:` with SCAN (not KEYS, which blocks Redis); returns the count. */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

export function useTestRedis(): { url: string; prefix(): string; redis(): Redis } {
  const url = inject('redisUrl');
  const prefix = createTestPrefix();
  let client: Redis | undefined;

  afterAll(async () => {
    const redis = client ?? createRedis(url);
    try {
      await deleteKeysUnder(redis, prefix);
    } finally {
      await redis.quit();
      client = undefined;
    }
  });

  return {
    url,
    prefix: () => prefix,
    redis: () => (client ??= createRedis(url)),
  };
}
