// Who is asking, as every service method sees it: the actor recorded in audit trails, and,
// for an API key, the scopes it was created with. People (Slack users, the CLI) are not
// limited by scopes; what they may do is decided by the rules each service applies.
import type { Actor } from '../engine/index.js';
import type { ApiScope } from '../models/api-key-names.js';

export interface Principal {
  actor: Actor;
  /** An API key's scopes; null for a person. */
  scopes: readonly ApiScope[] | null;
  /** The CLI (it holds the database credentials) and the bot's own reads: never refused. */
  internal?: true;
  /** Where the request came from (slack, api, mcp, alerts), as refusals are audited. */
  surface?: string;
  /** Which of `groups` (user groups holding a role) the person belongs to; absent: none. */
  groupsOf?: (groups: string[]) => Promise<string[]>;
}

/** The actor an API key acts as: its id is the permission subject `apikey:NAME`. */
export function apiKeyActor(name: string): Actor {
  return { kind: 'api', id: `apikey:${name}`, name };
}

export function apiKeyPrincipal(name: string, scopes: readonly ApiScope[]): Principal {
  return { actor: apiKeyActor(name), scopes, surface: 'api' };
}

export function personPrincipal(actor: Actor, opts: Pick<Principal, 'surface' | 'groupsOf'> = {}): Principal {
  return { actor, scopes: null, ...opts };
}

/** The CLI, or the bot reading for itself: allowed everything, as the database credentials are. */
export function internalPrincipal(actor: Actor): Principal {
  return { actor, scopes: null, internal: true, surface: actor.kind };
}
