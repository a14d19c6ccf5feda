import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  createIdempotencyStore,
  IDEMPOTENCY_KEY_PATTERN,
  parseIdempotencyKey,
  requestFingerprint,
  type StoredAnswer,
} from '../../src/api/idempotency-store.js';
import { AppError, ErrorCode } from '../../src/errors.js';
import { useTestRedis } from '../support/redis.js';

const redis = useTestRedis();
const store = () => createIdempotencyStore({ redis: redis.redis(), prefix: redis.prefix() });
const answer = (status: number, body: unknown): StoredAnswer => ({ fingerprint: requestFingerprint('POST', '/runs', '{"a":1}'), status, body });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('createIdempotencyStore', () => {
  it('returns what was put, and null for a key never used', async () => {
    const s = store();
    const first = answer(201, { run: { id: 'run_abc', steps: [1, 2] }, note: null });
    await s.put('ci-bot', 'key-1', first);

    expect(await s.get('ci-bot', 'key-1')).toEqual(first);
    expect(await s.get('ci-bot', 'key-2')).toBeNull();
  });

  it('keeps the first answer when a second is put under the same key', async () => {
    const s = store();
    await s.put('ci-bot', 'dup', answer(201, { n: 1 }));
    await s.put('ci-bot', 'dup', answer(500, { n: 2 }));

    expect(await s.get('ci-bot', 'dup')).toMatchObject({ status: 201, body: { n: 1 } });
  });

  it('keeps owners apart under the same key', async () => {
    const s = store();
    await s.put('alpha', 'same', answer(200, 'alpha'));
    expect(await s.get('beta', 'same')).toBeNull();
  });

  it('stores under prefix:idem:owner:sha256(key) with the TTL', async () => {
    const s = createIdempotencyStore({ redis: redis.redis(), prefix: redis.prefix(), ttlMs: 60_000 });
    await s.put('ci-bot', 'ttl-key', answer(200, null));
    const ttl = await redis.redis().pttl(`${redis.prefix()}:idem:ci-bot:${createHash('sha256').update('ttl-key').digest('hex')}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('lets one of two requests with the same key handle it at a time, per owner, until it ends', async () => {
    const [a, b] = [store(), store()]; // two instances
    const taken = await Promise.all([a.begin('ci-bot', 'busy'), b.begin('ci-bot', 'busy')]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect(await a.begin('other-owner', 'busy')).toBe(true);
    await a.end('ci-bot', 'busy');
    expect(await b.begin('ci-bot', 'busy')).toBe(true);
  });

  it('forgets an answer once its TTL has passed', async () => {
    const s = createIdempotencyStore({ redis: redis.redis(), prefix: redis.prefix(), ttlMs: 200 });
    await s.put('ci-bot', 'short', answer(200, 'soon gone'));
    expect(await s.get('ci-bot', 'short')).not.toBeNull();

    await sleep(400);
    expect(await s.get('ci-bot', 'short')).toBeNull();
  });

  it.each([
    ['not JSON', '{oops'],
    ['the wrong shape', JSON.stringify({ status: 'ok' })],
    ['a status out of range', JSON.stringify({ fingerprint: 'f', status: 42, body: null })],
  ])('treats a stored value that is %s as absent, and lets a new answer be put', async (_what, raw) => {
    const s = store();
    const key = `corrupt-${raw.length}`;
    await redis.redis().set(`${redis.prefix()}:idem:ci-bot:${createHash('sha256').update(key).digest('hex')}`, raw);

    expect(await s.get('ci-bot', key)).toBeNull();
    await s.put('ci-bot', key, answer(202, 'fresh'));
    expect(await s.get('ci-bot', key)).toMatchObject({ status: 202, body: 'fresh' });
  });
});

describe('requestFingerprint', () => {
  it('is sha256 hex that changes with method, path or body', () => {
    const base = requestFingerprint('POST', '/runs', '{}');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(requestFingerprint('POST', '/runs', '{}')).toBe(base);
    expect(requestFingerprint('PUT', '/runs', '{}')).not.toBe(base);
    expect(requestFingerprint('POST', '/runs/x', '{}')).not.toBe(base);
    expect(requestFingerprint('POST', '/runs', '{ }')).not.toBe(base);
  });

  it('does not confuse where the path ends and the body begins', () => {
    expect(requestFingerprint('POST', '/ab', '')).not.toBe(requestFingerprint('POST', '/a', 'b'));
  });
});

describe('parseIdempotencyKey', () => {
  it('returns null when the header is absent', () => {
    expect(parseIdempotencyKey(undefined)).toBeNull();
    expect(parseIdempotencyKey([])).toBeNull();
  });

  it.each(['a', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', '!~{}"key"', 'x'.repeat(255)])('accepts %j', (key) => {
    expect(IDEMPOTENCY_KEY_PATTERN.test(key)).toBe(true);
    expect(parseIdempotencyKey(key)).toBe(key);
    expect(parseIdempotencyKey([key])).toBe(key);
  });

  it.each([
    ['an empty key', '', /empty/],
    ['a 256-character key', 'x'.repeat(256), /256 characters/],
    ['a key with a space', 'two words', /space/],
    ['a key with a tab', 'a\tb', /printable ASCII/],
    ['a non-ASCII key', 'clé', /printable ASCII/],
    ['a repeated header joined by Node', 'k1, k2', /space/],
  ])('throws a validation error for %s', (_what, header, message) => {
    const thrown = (() => {
      try {
        parseIdempotencyKey(header);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe(ErrorCode.Validation);
    expect((thrown as AppError).message).toMatch(/Idempotency-Key/);
    expect((thrown as AppError).message).toMatch(message);
  });

  it('throws a validation error when the header is sent twice', () => {
    expect(() => parseIdempotencyKey(['k1', 'k2'])).toThrow(expect.objectContaining({ code: ErrorCode.Validation, message: expect.stringMatching(/once/) }));
  });
});
