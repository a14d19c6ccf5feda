// Who is asking, as every service method sees it: the actor recorded in audit trails, and,
// for an API key, the scopes it was created with. People (Slack users, the CLI) are not
// limited by scopes; what they may do is decided by the rules each service applies.
import type { Actor } from '../engine/index.js';
import { AppError, ErrorCode } from '../errors.js';
import type { ApiScope } from '../models/api-key-names.js';

export interface Principal {
  actor: Actor;
  /** An API key's scopes; null for a person. */
  scopes: readonly ApiScope[] | null;
}

/** The actor an API key acts as: its id is the permission subject `apikey:NAME`. */
export function apiKeyActor(name: string): Actor {
  return { kind: 'api', id: `apikey:${name}`, name };
}

export function apiKeyPrincipal(name: string, scopes: readonly ApiScope[]): Principal {
  return { actor: apiKeyActor(name), scopes };
}

export function personPrincipal(actor: Actor): Principal {
  return { actor, scopes: null };
}

export function hasScope(who: Principal, scope: ApiScope): boolean {
  return who.scopes === null || who.scopes.includes(scope) || who.scopes.includes('admin');
}

/** Throws `forbidden` naming the scope missing and the scopes the key has. */
export function requireScope(who: Principal, scope: ApiScope): void {
  if (hasScope(who, scope)) return;
  const has = who.scopes?.join(', ') || 'none';
  throw new AppError(ErrorCode.Forbidden, `API key "${who.actor.name ?? who.actor.id}" lacks the "${scope}" scope (it has: ${has})`, {
    details: { required_scope: scope, scopes: who.scopes },
  });
}
