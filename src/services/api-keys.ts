// API keys as admins manage them (the CLI today): a key's name and scopes, and what a revoke
// takes away. A revoked key loses its permission grants too, so a new key given the same
// name later does not inherit what the old one was allowed.
import type { ApiKeyRecord, ApiKeyStore, CreatedApiKey } from '../models/api-key-store.js';
import type { PermissionStore } from '../models/permission-store.js';
import type { Access } from './access.js';
import type { Principal } from './principal.js';

export interface ApiKeysDeps {
  keys: ApiKeyStore;
  permissions: Pick<PermissionStore, 'list' | 'revoke'>;
  access: Pick<Access, 'require'>;
}

export type ApiKeys = ReturnType<typeof createApiKeys>;

export function createApiKeys(deps: ApiKeysDeps) {
  return {
    async create(who: Principal, name: string, scopes: string | readonly string[]): Promise<CreatedApiKey> {
      await deps.access.require(who, 'admin');
      return deps.keys.create(name, scopes, who.actor);
    },

    async list(who: Principal): Promise<ApiKeyRecord[]> {
      await deps.access.require(who, 'admin');
      return deps.keys.list();
    },

    /** Deletes the key and its grants; returns the key as it was and the permissions and roles it lost. */
    async revoke(who: Principal, name: string): Promise<{ key: ApiKeyRecord; permissions: string[] }> {
      await deps.access.require(who, 'admin');
      const key = await deps.keys.revoke(name, who.actor);
      const subject = `apikey:${key.name}`;
      const held = (await deps.permissions.list(subject)).flatMap((g) => [...g.permissions, ...g.roles]);
      if (held.length > 0) await deps.permissions.revoke(subject, held, who.actor);
      return { key, permissions: held };
    },
  };
}
