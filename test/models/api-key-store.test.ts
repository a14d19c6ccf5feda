// The API key store against the real test server: a key authenticates until revoked, a name
// is taken once however many admins race for it, and only a hash of the key is kept.
import { createHash } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import type { Actor } from '../../src/engine/types.js';
import { AppError, ErrorCode } from '../../src/errors.js';
import { apiKeyModel } from '../../src/models/api-key-model.js';
import { API_SCOPES, parseKeyName, parseScopes } from '../../src/models/api-key-names.js';
import { createApiKeyStore, generateApiKey, type ApiKeyStore } from '../../src/models/api-key-store.js';
import { useTestDatabase } from '../support/mongo.js';
import { refusal } from '../support/refusal.js';

const db = useTestDatabase();
const admin: Actor = { kind: 'cli', id: 'admin' };
const NOW = Date.parse('2026-03-01T12:00:00Z');
const KEY = /^rbk_[0-9A-Za-z]{40}$/;
let store: ApiKeyStore;

beforeAll(() => {
  store = createApiKeyStore(db.conn(), () => NOW);
});


function refusalOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a refusal');
}

describe('create, authenticate and revoke', () => {
  it('authenticates a new key until it is revoked, then at once no more', async () => {
    const { key, record } = await store.create('deploy-bot', 'run,read', admin);

    expect(key).toMatch(KEY);
    const expected = { name: 'deploy-bot', scopes: ['read', 'run'], prefix: key.slice(4, 12), created_at: new Date(NOW), created_by: { kind: 'cli', id: 'admin' } };
    expect(record).toEqual(expected);
    expect(await store.authenticate(key)).toEqual(expected);
    expect(await store.list()).toContainEqual(expected);

    expect(await store.revoke('deploy-bot', admin)).toEqual(expected);
    expect(await store.authenticate(key)).toBeNull();
    expect(await store.list()).not.toContainEqual(expect.objectContaining({ name: 'deploy-bot' }));
  });

  it('lets a revoked name be used again, with a new key that the old one does not open', async () => {
    const first = await store.create('rotated', ['read'], admin);
    await store.revoke('rotated', admin);

    const second = await store.create('rotated', ['read', 'admin'], admin);

    expect(second.key).not.toBe(first.key);
    expect(await store.authenticate(first.key)).toBeNull();
    expect(await store.authenticate(second.key)).toMatchObject({ name: 'rotated', scopes: ['read', 'admin'] });
  });

  it('answers null for unknown and malformed keys', async () => {
    const { key } = await store.create('real-key', 'read', admin);

    for (const bad of [generateApiKey(), '', 'rbk_', key.slice(0, -1), `${key}x`, key.replace('rbk_', 'RBK_'), ` ${key}`, `${key.slice(0, -1)}!`]) {
      expect(await store.authenticate(bad)).toBeNull();
    }
  });

  it('lists keys by name, never with the key or its hash', async () => {
    await store.create('zz-list', 'read', admin);
    await store.create('aa-list', 'admin', admin);

    const all = await store.list();

    const names = all.map((k) => k.name);
    expect(names).toEqual([...names].sort());
    for (const record of all) expect(Object.keys(record).sort()).toEqual(['created_at', 'created_by', 'name', 'prefix', 'scopes']);
  });

  it('refuses to revoke a key that does not exist', async () => {
    const error = await refusal(store.revoke('never-made', admin));

    expect(error.code).toBe(ErrorCode.NotFound);
    expect(error.message).toBe('no API key named never-made');
  });
});

describe('names taken once', () => {
  it('refuses a name in use, keeping the first key working', async () => {
    const { key } = await store.create('taken', 'read', admin);

    const error = await refusal(store.create('taken', 'admin', admin));

    expect(error.code).toBe(ErrorCode.Conflict);
    expect(error.message).toBe('an API key named taken exists; revoke it first');
    expect(await store.authenticate(key)).toMatchObject({ name: 'taken', scopes: ['read'] });
  });

  it('gives exactly one key to ten concurrent creates of one name', async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => store.create('raced', 'read', admin)));

    const made = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as AppError] : []));
    expect(made).toHaveLength(1);
    expect(refused.map((e) => e.code)).toEqual(Array(9).fill(ErrorCode.Conflict));
    expect(await store.authenticate(made[0]?.key ?? '')).toMatchObject({ name: 'raced' });
    expect((await store.list()).filter((k) => k.name === 'raced')).toHaveLength(1);
  });
});

describe('storage', () => {
  it('keeps only the sha256 of the key, never its text', async () => {
    const { key } = await store.create('hashed', 'read,run', admin);

    const doc = await apiKeyModel(db.conn()).collection.findOne({ _id: 'hashed' as never });

    expect(doc).toMatchObject({ key_hash: createHash('sha256').update(key).digest('hex'), prefix: key.slice(4, 12) });
    const text = JSON.stringify(doc);
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(4));
  });

  it('makes keys of base62 characters, each one of 62 about equally often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const c of generateApiKey().slice(4)) counts.set(c, (counts.get(c) ?? 0) + 1);

    // 80,000 draws: 1,290 ± 36 each. `byte % 62` would give the first 8 characters about
    // 1,560 each; the bounds are 5 standard deviations out, so a fair generator passes.
    expect(counts.size).toBe(62);
    for (const n of counts.values()) expect(n).toBeGreaterThan(1110);
    for (const n of counts.values()) expect(n).toBeLessThan(1470);
  });
});

describe('names and scopes', () => {
  it('refuses a bad name, naming it and the rule, and makes no key', async () => {
    for (const bad of ['', 'Deploy', '-lead', 'has space', 'a.b', 'x'.repeat(64), 'apikey:x']) {
      const error = await refusal(store.create(bad, 'read', admin));
      expect(error.code).toBe(ErrorCode.Validation);
      expect(error.message).toBe(`${JSON.stringify(bad)} is not an API key name: use 1 to 63 of a-z, 0-9, _ and -, starting with a letter or digit`);
    }
    expect(parseKeyName('x'.repeat(63))).toBe('x'.repeat(63));
    expect((await refusal(store.revoke('Bad Name', admin))).code).toBe(ErrorCode.Validation);
  });

  it('refuses unknown or no scopes, listing the allowed ones', async () => {
    const unknown = await refusal(store.create('bad-scope', 'read,write,sudo', admin));
    const none = await refusal(store.create('no-scope', ' , ', admin));

    expect(unknown.code).toBe(ErrorCode.Validation);
    expect(unknown.message).toBe('"write", "sudo" are not scopes: use read, run, author, approve, admin');
    expect(refusalOf(() => parseScopes('Read')).message).toBe('"Read" is not a scope: use read, run, author, approve, admin');
    expect(none.message).toBe('name at least one scope: read, run, author, approve, admin');
    expect(refusalOf(() => parseScopes([])).code).toBe(ErrorCode.Validation);
    expect(await store.list()).not.toContainEqual(expect.objectContaining({ name: 'bad-scope' }));
  });

  it('reads scopes as a comma list or several, without duplicates, in their order of reach', () => {
    expect(parseScopes('admin, read,run,read')).toEqual(['read', 'run', 'admin']);
    expect(parseScopes(['approve', 'author,read'])).toEqual(['read', 'author', 'approve']);
    expect(parseScopes(API_SCOPES.join(','))).toEqual([...API_SCOPES]);
  });
});
