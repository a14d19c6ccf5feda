// Two bot instances (two connections on one database) claiming the same thread reply at once:
// exactly one may post it, whatever the interleaving, and a later attempt only after a failure
// or once the lease is over.
import type mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { connectMongo } from '../../src/models/connection.js';
import { createThreadPosts, THREAD_POST_LEASE_MS, type ThreadPosts } from '../../src/models/thread-posts.js';
import { createTestDbName } from '../support/mongo.js';

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
let now = T0;
let conns: mongoose.Connection[] = [];
let posts: [ThreadPosts, ThreadPosts];
beforeAll(async () => {
  const name = createTestDbName();
  conns = [await connectMongo(inject('mongodbUri'), name), await connectMongo(inject('mongodbUri'), name)];
  posts = [createThreadPosts(conns[0]!, () => now), createThreadPosts(conns[1]!, () => now)];
});
afterAll(async () => {
  await conns[0]?.dropDatabase();
  await Promise.all(conns.map((c) => c.close()));
});

const winners = (claims: object[]) => claims.filter((c) => 'attempt' in c).length;

describe('thread reply claims', () => {
  it('gives a reply to exactly one of two instances claiming it at once, 200 times over', async () => {
    for (let i = 0; i < 200; i += 1) {
      const key = `rbs_${i}#1`;
      const claims = await Promise.all([posts[0].claim('run_race', key), posts[1].claim('run_race', key)]);
      expect(winners(claims), key).toBe(1);
      expect(claims.filter((c) => 'busy' in c)).toHaveLength(1);
    }
  });

  it('answers posted once the attempt posted, and lets another try at once after a failure, one winner each time', async () => {
    const first = await posts[0].claim('run_fail', 'k#1');
    if (!('attempt' in first)) throw new Error('no attempt');
    await posts[0].failed(first.attempt);
    const retries = await Promise.all([posts[0].claim('run_fail', 'k#1'), posts[1].claim('run_fail', 'k#1')]);
    expect(winners(retries)).toBe(1);
    const second = retries.find((c) => 'attempt' in c) as { attempt: { n: number } & Parameters<ThreadPosts['posted']>[0] };
    expect(second.attempt.n).toBe(2);
    await posts[1].posted(second.attempt);
    expect(await posts[0].claim('run_fail', 'k#1')).toEqual({ posted: true });
  });

  it('keeps a claimed reply to its poster for the lease, then lets one other instance take it over', async () => {
    now = T0;
    expect(await posts[0].claim('run_lease', 'k#1')).toHaveProperty('attempt');
    now = T0 + THREAD_POST_LEASE_MS - 1;
    expect(await posts[1].claim('run_lease', 'k#1')).toEqual({ busy: true });
    now = T0 + THREAD_POST_LEASE_MS;
    const takeovers = await Promise.all([posts[0].claim('run_lease', 'k#1'), posts[1].claim('run_lease', 'k#1')]);
    expect(winners(takeovers)).toBe(1);
  });
});
