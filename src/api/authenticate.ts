// Bearer API keys → the principal a request acts as. A verified key is remembered for a few
// seconds so a busy agent does not cost a database read per request; a revoked key is
// therefore refused by every instance within that time (API_KEY_CACHE_MS).
import { hashKey, type ApiKeyStore } from '../models/api-key-store.js';
import { createLru } from '../lru.js';
import { apiKeyPrincipal, type Principal } from '../services/principal.js';
import { HttpError } from './api-error.js';

export interface AuthenticatorOptions {
  keys: Pick<ApiKeyStore, 'authenticate'>;
  cacheMs: number;
  now?: () => number;
}

const CHALLENGE = { 'www-authenticate': 'Bearer realm="runbook-bot"' };

export function createAuthenticator({ keys, cacheMs, now = Date.now }: AuthenticatorOptions) {
  // Keyed by the key's hash: the plaintext key is not kept longer than the request.
  const cache = createLru<{ principal: Principal; at: number }>(1_000);
  // One lookup per key at a time: the requests that arrive while it is out wait for it.
  const pending = new Map<string, Promise<Principal | null>>();

  async function lookUp(token: string, hash: string): Promise<Principal | null> {
    const record = await keys.authenticate(token);
    if (!record) {
      cache.delete(hash);
      return null;
    }
    const principal = apiKeyPrincipal(record.name, record.scopes);
    if (cacheMs > 0) cache.set(hash, { principal, at: now() });
    return principal;
  }

  return async (token: string | null): Promise<Principal> => {
    if (token === null) throw new HttpError(401, 'unauthorized', 'missing API key: send Authorization: Bearer KEY (create one with `runbook-bot apikey create NAME`)', CHALLENGE);
    const hash = hashKey(token);
    const hit = cache.get(hash);
    if (hit && now() - hit.at < cacheMs) return hit.principal;
    let lookup = pending.get(hash);
    if (!lookup) {
      lookup = lookUp(token, hash).finally(() => pending.delete(hash));
      pending.set(hash, lookup);
    }
    const principal = await lookup;
    if (!principal) throw new HttpError(401, 'unauthorized', 'invalid or revoked API key', CHALLENGE);
    return principal;
  };
}
