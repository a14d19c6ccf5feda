// The per-key rate limit, counted in Redis: a key over its budget gets 429 with Retry-After
// and changes nothing; other keys are not affected.
import { afterAll, describe, expect, it } from 'vitest';

import { useApi } from './support/api-rig.js';

const api = useApi({ apiRateLimit: 5 });
afterAll(() => {
  expect(api.mismatches).toEqual([]);
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the limit, per key', async () => {
    const busy = await api.key('busy', ['read', 'author']);
    const calm = await api.key('calm', ['read']);
    // The limiter counts per fixed minute: six requests that straddle a minute's end would
    // fall in two windows, so they start well inside one.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await api.request('GET', '/v1/runbooks', { key: busy })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const refused = await api.request('POST', '/v1/runbooks', { key: busy, body: { name: 'Never', steps: [{ label: 'a', instruction: 'a' }] } });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    const listed = await api.request('GET', '/v1/runbooks', { key: calm });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((r: { name: string }) => r.name)).not.toContain('Never');
  });
});
