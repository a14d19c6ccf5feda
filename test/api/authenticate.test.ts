// Bearer keys against the real key store: a verified key is trusted for the cache time, a
// burst of requests with a cold cache costs one lookup, and unknown or revoked keys get 401.
import { describe, expect, it } from 'vitest';

import { HttpError } from '../../src/api/api-error.js';
import { createAuthenticator } from '../../src/api/authenticate.js';
import { createApiKeyStore } from '../../src/models/api-key-store.js';
import { useTestDatabase } from '../support/mongo.js';

const db = useTestDatabase();
const admin = { kind: 'cli' as const, id: 'admin' };

function counted() {
  const keys = createApiKeyStore(db.conn());
  let lookups = 0;
  return {
    keys,
    port: { authenticate: (token: string) => ((lookups += 1), keys.authenticate(token)) },
    lookups: () => lookups,
  };
}

describe('createAuthenticator', () => {
  it('looks a key up once for a burst of requests, then trusts it for the cache time', async () => {
    const { keys, port, lookups } = counted();
    const { key } = await keys.create('burst', ['read', 'run'], admin);
    let clock = 1_000;
    const authenticate = createAuthenticator({ keys: port, cacheMs: 5_000, now: () => clock });
    const principals = await Promise.all(Array.from({ length: 20 }, () => authenticate(key)));
    expect(principals.every((p) => p.actor.id === 'apikey:burst' && p.scopes?.join() === 'read,run')).toBe(true);
    expect(lookups()).toBe(1);
    clock += 4_999;
    await authenticate(key);
    expect(lookups()).toBe(1);
    clock += 1;
    await authenticate(key);
    expect(lookups()).toBe(2);
  });

  it('answers 401 for no key, an unknown key and a revoked one once the cache time has passed', async () => {
    const { keys, port } = counted();
    const { key } = await keys.create('revoked-later', ['read'], admin);
    let clock = 0;
    const authenticate = createAuthenticator({ keys: port, cacheMs: 1_000, now: () => clock });
    await expect(authenticate(null)).rejects.toMatchObject({ status: 401, message: expect.stringMatching(/missing API key/) });
    await expect(authenticate('rbk_nope')).rejects.toBeInstanceOf(HttpError);
    await authenticate(key);
    await keys.revoke('revoked-later', admin);
    await expect(authenticate(key)).resolves.toMatchObject({ actor: { id: 'apikey:revoked-later' } });
    clock += 1_000;
    await expect(authenticate(key)).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
  });
});
